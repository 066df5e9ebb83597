/**
 * @module
 * Browsing queries of the dashboard and API: the keyset cursors (also of the
 * source table, queries/source-list.ts), the event list (filters, keyset cursor, newest first) and
 * messages per hour by phase. A cursor is the last row's sort key, encoded
 * opaque (base64url JSON); the next page starts strictly after it, so pages
 * never skip or repeat a row while data is appended.
 *
 * Must never put a request value into SQL text: the sort column comes from
 * a fixed table, every value is a bound parameter.
 */
import type { Cell, Queryable, Row } from '../../store/queryable.js';
import { eventsWhere, SqlParams, type ReportFilter } from '../filter.js';
import type { TrafficUserAgent } from '../types.js';
import { PH_NAME, PH_SQL } from './phases.js';
import { rollupUse, rollWhere } from './rollup-scope.js';

export interface Page {
  readonly items: Row[];
  /** Pass as `cursor` for the next page; null on the last page. */
  readonly next_cursor: string | null;
}

export function encodeCursor(values: readonly Cell[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/**
 * A keyset page from rows fetched with `LIMIT limit + 1`: the first `limit`
 * rows, and a cursor of the last one's keys when the extra row shows more.
 */
export function pageOf(rows: Row[], limit: number, keys: readonly [string, string]): Page {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return {
    items,
    next_cursor: more && last ? encodeCursor([last[keys[0]] ?? null, last[keys[1]] ?? null]) : null,
  };
}

/** What a cursor cell holds: a count, a timestamp (ISO 8601 UTC, as rows carry them), a text key. */
export type CursorKind = 'int' | 'ts' | 'str';

const ISO_TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

/** Whether `v` is a valid cell of `kind`: what SQL can cast without an error. */
function validCell(v: unknown, kind: CursorKind): boolean {
  if (kind === 'int') return typeof v === 'number' && Number.isSafeInteger(v);
  if (typeof v !== 'string' || v.length > 200) return false;
  if (kind === 'str') return true;
  if (!ISO_TS.test(v)) return false;
  const t = Date.parse(v);
  // Date.parse rolls 2012-02-30 over to March: the date must read back as written.
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 19) === v.slice(0, 19);
}

/**
 * The values of a cursor, or null when it is not one of ours: a list of
 * `kinds.length` cells, each of its kind (a crafted cursor must be refused
 * here, not fail a cast in SQL).
 */
export function decodeCursor(cursor: string, kinds: readonly CursorKind[]): Cell[] | null {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v.length !== kinds.length) return null;
    return v.every((x, i) => validCell(x, kinds[i] ?? 'str')) ? (v as Cell[]) : null;
  } catch {
    return null;
  }
}

export interface EventQuery {
  readonly limit: number;
  readonly cursor?: string;
  readonly since?: string;
  readonly until?: string;
  readonly method?: string;
  readonly src_ip?: string;
  readonly response?: number;
  readonly event?: string;
}

/** Events newest first, one page, with the event schema's field names. */
export async function queryEventPage(
  db: Queryable,
  filter: ReportFilter,
  q: EventQuery,
): Promise<Page> {
  const p = new SqlParams();
  const where = [eventsWhere(filter, p)];
  if (q.since !== undefined) where.push(`ts >= CAST(${p.add(q.since)} AS TIMESTAMP)`);
  if (q.until !== undefined) where.push(`ts < CAST(${p.add(q.until)} AS TIMESTAMP)`);
  if (q.method !== undefined) where.push(`method = ${p.add(q.method)}`);
  if (q.src_ip !== undefined) where.push(`src_ip = ${p.add(q.src_ip)}`);
  if (q.response !== undefined) where.push(`response = ${p.add(q.response)}`);
  if (q.event !== undefined) where.push(`event = ${p.add(q.event)}`);
  if (q.cursor !== undefined) {
    const c = decodeCursor(q.cursor, ['ts', 'str']);
    if (c === null) throw new RangeError('cursor: not a cursor of this list');
    where.push(
      `(ts, event_id) < (CAST(${p.add(c[0] ?? null)} AS TIMESTAMP), ${p.add(c[1] ?? null)})`,
    );
  }
  const rows = await db.all(
    `SELECT * EXCLUDE (excerpt) FROM events WHERE ${where.join(' AND ')}
     ORDER BY ts DESC, event_id DESC LIMIT ${p.add(q.limit + 1)}`,
    p.values,
  );
  return pageOf(rows, q.limit, ['ts', 'event_id']);
}

/** Requests per UTC hour and phase (the overview's stacked activity chart), from `roll_hour` when current. */
export async function queryHourlyPhases(
  db: Queryable,
  filter: ReportFilter,
  maxHours: number,
): Promise<{ hour: string; phase: string; messages: number }[]> {
  const p = new SqlParams();
  // The hour rollup keeps hour, sensor and class: exact for every scope.
  const h =
    (await rollupUse(db, filter)) === 'none'
      ? `SELECT date_trunc('hour', ts) AS hr, ${PH_SQL} AS ph, count(*) AS n
         FROM events WHERE event = 'sip.request' AND ${eventsWhere(filter, p)} GROUP BY ALL`
      : `SELECT hr, ph, sum(n) AS n FROM roll_hour
         WHERE event = 'sip.request' AND ${rollWhere(filter, p, 'hr')}
         GROUP BY ALL HAVING sum(n) <> 0`;
  const rows = await db.all(
    `WITH h AS (${h}),
     last AS (SELECT DISTINCT hr FROM h ORDER BY hr DESC LIMIT ${p.add(maxHours)})
     SELECT strftime(hr, '%Y-%m-%dT%H:00:00Z') AS hour, ${PH_NAME} AS phase, n
     FROM h WHERE hr IN (SELECT hr FROM last) ORDER BY hour, phase`,
    p.values,
  );
  return rows.map((r) => ({
    hour: String(r['hour']),
    phase: String(r['phase']),
    messages: Number(r['n']),
  }));
}

/**
 * The traffic user agents from `roll_ua` (where `where` holds): a label's
 * family and category are the ones most of its requests carry, as `mode`
 * gives over the events.
 */
const ROLLED_AGENTS = (where: string): string => `WITH
  l AS (SELECT label, family, category, src_ip, sum(n) AS n FROM roll_ua WHERE ${where} GROUP BY ALL),
  fm AS (SELECT label, arg_max(family, n) AS family FROM (
           SELECT label, family, sum(n) AS n FROM l WHERE family <> '' GROUP BY ALL) GROUP BY label),
  cm AS (SELECT label, arg_max(category, n) AS category FROM (
           SELECT label, category, sum(n) AS n FROM l WHERE category <> '' GROUP BY ALL) GROUP BY label),
  t AS (SELECT label, sum(n) AS n, count(DISTINCT src_ip) AS s FROM l GROUP BY label)
  SELECT t.label, fm.family, cm.category, t.n, t.s
  FROM t LEFT JOIN fm USING (label) LEFT JOIN cm USING (label) ORDER BY t.n DESC, t.label`;

/** User agents of all traffic (every request, not only calls), most messages first. */
export async function queryTrafficUserAgents(
  db: Queryable,
  filter: ReportFilter,
  top: number,
): Promise<TrafficUserAgent[]> {
  const p = new SqlParams();
  const rows = await db.all(
    (await rollupUse(db, filter)) === 'all'
      ? `${ROLLED_AGENTS(rollWhere(filter, p, null))} LIMIT ${p.add(top)}`
      : `SELECT coalesce(ua_label, 'undefined') AS label, mode(ua_family) AS family,
            mode(ua_category) AS category, count(*) AS n, count(DISTINCT src_ip) AS s
     FROM events WHERE event = 'sip.request' AND ${eventsWhere(filter, p)}
     GROUP BY 1 ORDER BY n DESC, label LIMIT ${p.add(top)}`,
    p.values,
  );
  return rows.map((r) => ({
    label: String(r['label']),
    family: r['family'] === null ? null : String(r['family']),
    category: r['category'] === null ? null : String(r['category']),
    count: Number(r['n']),
    sources: Number(r['s']),
  }));
}

/** One destination number: its unified INVITEs per source. */
export async function queryNumber(db: Queryable, number: string, limit: number): Promise<Row[]> {
  const p = new SqlParams();
  return db.all(
    `SELECT src_ip, src_cc, dst_cc, number_type, count(*) AS calls, sum(invites) AS invites,
            min(first_ts) AS first_ts, max(last_ts) AS last_ts
     FROM calls WHERE dialed_number = ${p.add(number)} GROUP BY ALL ORDER BY calls DESC, src_ip
     LIMIT ${p.add(limit)}`,
    p.values,
  );
}

/** Data dates and sensors of the store. */
export async function queryMetadata(db: Queryable): Promise<{
  first_ts: string | null;
  last_ts: string | null;
  events: number;
  sensors: Row[];
  meta: Row[];
}> {
  const [span] = await db.all(`SELECT min(ts) AS a, max(ts) AS b, count(*) AS n FROM events`);
  const sensors = await db.all(
    `SELECT sensor, count(*) AS events, min(ts) AS first_ts, max(ts) AS last_ts
     FROM events GROUP BY sensor ORDER BY sensor LIMIT 1000`,
  );
  const meta = await db.all(`SELECT key, value FROM meta ORDER BY key`);
  return {
    first_ts: span?.['a'] === undefined || span['a'] === null ? null : String(span['a']),
    last_ts: span?.['b'] === undefined || span['b'] === null ? null : String(span['b']),
    events: Number(span?.['n'] ?? 0),
    sensors,
    meta,
  };
}
