/**
 * @module
 * The sources list of the dashboard and API: one row per source address
 * with its counts, filtered, sorted, one keyset page at a time.
 *
 * Two inputs, one query. The rows it sums are those of `source_rollup`
 * (store/source-rollup.ts: counts per source, sensor, country, AS and
 * user-agent label), read from the table when the scope allows it (no
 * date range) and the table is current, else computed by the same
 * aggregation over the events in scope. Every filter but the date range
 * is a condition on the rollup's key columns, so both inputs give the same
 * answers. Per source: messages and the other counts are sums; the country,
 * AS, AS name and user agent are the value with the most messages (ties:
 * the one seen first, then the smaller value); sensors is the number of
 * distinct sensors. These are computed for the rows of the page only.
 *
 * Must never put a request value into SQL text: the sort column comes from
 * a fixed table, every value is a bound parameter.
 */
import type { Queryable } from '../../store/queryable.js';
import { ROLLUP_STALE_KEY, rollupSelect } from '../../store/source-rollup.js';
import { eventsWhere, SqlParams, type ReportFilter } from '../filter.js';
import { decodeCursor, pageOf, type CursorKind, type Page } from './browse.js';

export const SOURCE_SORTS = {
  messages: 'messages',
  first_ts: 'first_ts',
  last_ts: 'last_ts',
  invites: 'invites',
  auth_attempts: 'auth_attempts',
  ip: 'src_ip',
} as const;
export type SourceSort = keyof typeof SOURCE_SORTS;

export interface SourceQuery {
  readonly sort: SourceSort;
  readonly order: 'asc' | 'desc';
  readonly limit: number;
  readonly cursor?: string;
  readonly cc?: string;
  readonly asn?: number;
  /** Address prefix (text). */
  readonly ip?: string;
  readonly user_agent?: string;
  readonly min_messages?: number;
}

/** Where the rows of a list come from. */
export type SourceListInput = 'rollup' | 'events';

/** Whether `source_rollup` exists and is current (an old store read as it is has none). */
const ROLLUP_READY = `SELECT (SELECT count(*) FROM duckdb_tables()
    WHERE table_name = 'source_rollup' AND schema_name = 'main' AND NOT temporary) > 0
  AND NOT EXISTS (SELECT 1 FROM meta WHERE key = '${ROLLUP_STALE_KEY}') AS ready`;

/** The input a list in `filter` reads: the rollup unless a date range or the store rules it out. */
export async function sourceListInput(
  db: Queryable,
  filter: ReportFilter,
): Promise<SourceListInput> {
  if (filter.from !== undefined || filter.to !== undefined) return 'events';
  const [r] = await db.all(ROLLUP_READY);
  return r?.['ready'] === true ? 'rollup' : 'events';
}

/** The conditions of `q` and the sensor scope, on rollup rows (or the events they sum). */
function keyConditions(filter: ReportFilter, q: SourceQuery, p: SqlParams): string[] {
  const where: string[] = [];
  if (filter.sensor !== undefined) where.push(`sensor = ${p.add(filter.sensor)}`);
  if (q.cc !== undefined) where.push(`src_cc = ${p.add(q.cc)}`);
  if (q.asn !== undefined) where.push(`src_asn = ${p.add(q.asn)}`);
  if (q.ip !== undefined) where.push(`starts_with(src_ip, ${p.add(q.ip)})`);
  if (q.user_agent !== undefined) {
    where.push(`contains(lower(ua_label), lower(${p.add(q.user_agent)}))`);
  }
  return where;
}

/** `r`: the rollup rows in scope, from the table or from the events. */
function rowsCte(
  input: SourceListInput,
  filter: ReportFilter,
  q: SourceQuery,
  p: SqlParams,
): string {
  if (input === 'rollup') {
    const where = keyConditions(filter, q, p);
    return `r AS (SELECT * FROM source_rollup WHERE ${where.length > 0 ? where.join(' AND ') : 'TRUE'})`;
  }
  const range: ReportFilter = {
    ...(filter.from === undefined ? {} : { from: filter.from }),
    ...(filter.to === undefined ? {} : { to: filter.to }),
  };
  const where = [eventsWhere(range, p), ...keyConditions(filter, q, p)];
  return `r AS MATERIALIZED (${rollupSelect(where.join(' AND '))})`;
}

/** The condition that starts a page after `cursor`. Throws RangeError for a bad cursor. */
function afterCursor(cursor: string, col: string, cmp: '<' | '>', p: SqlParams): string {
  const kind: CursorKind = col === 'src_ip' ? 'str' : col.endsWith('_ts') ? 'ts' : 'int';
  const c = decodeCursor(cursor, [kind, 'str']);
  if (c === null) throw new RangeError('cursor: not a cursor of this list');
  if (col === 'src_ip') return `src_ip ${cmp} ${p.add(c[1] ?? null)}`;
  const type = col.endsWith('_ts') ? 'TIMESTAMP' : 'BIGINT';
  return `(${col}, src_ip) ${cmp} (CAST(${p.add(c[0] ?? null)} AS ${type}), ${p.add(c[1] ?? null)})`;
}

/** The most common value of `col` per source of the page: most messages, then first seen, then value. */
function modeCte(name: string, col: string): string {
  return `${name} AS (SELECT src_ip, first(v ORDER BY n DESC, t, v) AS v FROM (
      SELECT src_ip, ${col} AS v, sum(messages) AS n, min(first_ts) AS t FROM r
      WHERE src_ip IN (SELECT src_ip FROM page) AND ${col} IS NOT NULL GROUP BY ALL)
    GROUP BY src_ip)`;
}

/** Sources with their counts, one page. Throws RangeError for a bad cursor. */
export async function querySourceList(
  db: Queryable,
  filter: ReportFilter,
  q: SourceQuery,
  input?: SourceListInput,
): Promise<Page & { readonly input: SourceListInput }> {
  const from = input ?? (await sourceListInput(db, filter));
  const p = new SqlParams();
  const rows = rowsCte(from, filter, q, p);
  const col = SOURCE_SORTS[q.sort];
  const cmp = q.order === 'asc' ? '>' : '<';
  const dir = q.order === 'asc' ? 'ASC' : 'DESC';
  const order = `${col} ${dir}${col === 'src_ip' ? '' : `, src_ip ${dir}`}`;
  const having: string[] = [];
  if (q.min_messages !== undefined) having.push(`messages >= ${p.add(q.min_messages)}`);
  if (q.cursor !== undefined) having.push(afterCursor(q.cursor, col, cmp, p));
  const result = await db.all(
    `WITH ${rows},
     s AS (SELECT src_ip, sum(messages) AS messages, min(first_ts) AS first_ts,
             max(last_ts) AS last_ts, sum(registers) AS registers, sum(invites) AS invites,
             sum(auth_attempts) AS auth_attempts, bool_or(cracked) AS cracked,
             count(DISTINCT sensor) AS sensors
           FROM r GROUP BY src_ip),
     page AS (SELECT * FROM s ${having.length > 0 ? 'WHERE ' + having.join(' AND ') : ''}
              ORDER BY ${order} LIMIT ${p.add(q.limit + 1)}),
     ${modeCte('m_cc', 'src_cc')}, ${modeCte('m_asn', 'src_asn')},
     ${modeCte('m_as', 'src_as_name')}, ${modeCte('m_ua', 'ua_label')}
     SELECT page.src_ip, messages, first_ts, last_ts, registers, invites, auth_attempts, cracked,
            m_cc.v AS cc, m_asn.v AS asn, m_as.v AS as_name, m_ua.v AS user_agent, sensors
     FROM page LEFT JOIN m_cc USING (src_ip) LEFT JOIN m_asn USING (src_ip)
       LEFT JOIN m_as USING (src_ip) LEFT JOIN m_ua USING (src_ip)
     ORDER BY ${order}`,
    p.values,
  );
  return { ...pageOf(result, q.limit, [col, 'src_ip']), input: from };
}
