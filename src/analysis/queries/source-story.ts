/**
 * @module
 * One source's whole story: when it reached each attack phase (the classes
 * of queries/phases.ts), what it tried (extensions, credentials, numbers)
 * and got (cracked extensions), its user agents, sensors, AS and country,
 * and a timeline of its messages per hour and phase.
 *
 * Read from the per-source rollups (store/rollups.ts, docs/store.md) when
 * they are current and the scope has no date range; else computed from the
 * source's events in scope, aggregated into the same relations first, so
 * the two give the same story (tests compare them).
 */
import { num, str, type Queryable, type Row } from '../../store/queryable.js';
import { eventsWhere, SqlParams, type ReportFilter } from '../filter.js';
import type { SourceStory, SourceStoryTotals } from '../types.js';
import { aggregated, compacted, rollupOf } from '../../store/rollup-tables.js';
import { rollupSelect } from '../../store/source-rollup.js';
import { PH_NAME } from './phases.js';
import { rollupUse, rollWhere } from './rollup-scope.js';

export type { SourceStory, SourceStoryTotals } from '../types.js';

const LIST = 100;

function list<T>(rows: Row[], f: (r: Row) => T): T[] {
  return rows.map(f);
}

/**
 * The relations a story is computed from, each in the shape of a rollup
 * table (store/rollup-tables.ts, source-rollup.ts) and restricted to the source
 * in scope: `h` its requests per sensor, hour and class
 * (`roll_source_hour`), `m` its events per method (`roll_source_method`),
 * `x` the users it aimed at (`roll_source_target`, `ext` the extensions tried),
 * `c` its credentials (`roll_source_cred`), `k` what it cracked
 * (`roll_source_cracked`), `d` the numbers it dialled (`roll_source_number`), `s`
 * its per-source counts (`source_rollup`). Read from those tables, or
 * aggregated the same way from the source's events: one set of lists
 * below serves both, so both give the same story.
 */
const RELATIONS = {
  h: 'roll_source_hour',
  m: 'roll_source_method',
  x: 'roll_source_target',
  c: 'roll_source_cred',
  k: 'roll_source_cracked',
  d: 'roll_source_number',
} as const;

/** A list of a story: rows over the relations, their order, at most `limit`. */
interface StoryList {
  readonly rows: string;
  readonly order: string;
  readonly limit?: number;
  /**
   * For a long list: the relation its rows come one each from, and their
   * order in its terms, so only the first `limit` rows are built.
   */
  readonly first?: { readonly from: string; readonly order: string };
}

const N = 'CAST(sum(n) AS BIGINT) AS n';

/**
 * The most common value of `col` among rows of `rel` (weighted by `w`) per
 * `by` (or in all): most events, then the one seen first, then the
 * smaller value; nulls are not values (null when there is none).
 */
function mostCommon(rel: string, col: string, w: string, by?: string): string {
  const g = by === undefined ? '' : `${by}, `;
  return `SELECT ${g}first(v ORDER BY c DESC, t, v) AS v FROM (
      SELECT ${g}${col} AS v, sum(${w}) AS c, min(first_ts) AS t FROM ${rel}
      WHERE ${col} IS NOT NULL GROUP BY ALL)${by === undefined ? '' : ` GROUP BY ${by}`}`;
}

/** Each list of a story. */
const STORY_SQL = {
  methods: { rows: `SELECT method, ${N} FROM m GROUP BY method`, order: 'n DESC, method' },
  phases: {
    rows: `SELECT ${PH_NAME} AS phase, ${N}, min(first_ts) AS first_ts, max(last_ts) AS last_ts
     FROM h GROUP BY ph`,
    order: 'first_ts, phase',
  },
  ext: { rows: `SELECT u, ${N} FROM x WHERE ext GROUP BY u`, order: 'n DESC, u' },
  creds: {
    rows: `SELECT auth_user AS u, password_guess AS pw, ${N}, bool_or(ok) AS ok FROM c GROUP BY ALL`,
    order: 'ok DESC, n DESC, u, pw',
  },
  cracked: {
    rows: `SELECT u, password_guess AS pw, min(first_ts) AS ts FROM k GROUP BY ALL`,
    order: 'ts, u, pw',
  },
  numbers: {
    rows: `SELECT t.num, cc.v AS cc, ty.v AS t, t.n
     FROM (SELECT dialed_number AS num, ${N} FROM d GROUP BY dialed_number) t
     LEFT JOIN (${mostCommon('d', 'dst_cc', 'n', 'dialed_number')}) cc ON cc.dialed_number = t.num
     LEFT JOIN (${mostCommon('d', 'number_type', 'n', 'dialed_number')}) ty ON ty.dialed_number = t.num`,
    order: 'n DESC, num',
  },
  dcc: { rows: `SELECT dst_cc AS cc, ${N} FROM d GROUP BY dst_cc`, order: 'n DESC, cc' },
  uas: {
    rows: `SELECT t.l, m.v AS c, t.n
     FROM (SELECT ua_label AS l, CAST(sum(messages) AS BIGINT) AS n FROM s GROUP BY ua_label) t
     LEFT JOIN (${mostCommon('s', 'ua_category', 'messages', 'ua_label')}) m
       ON m.ua_label IS NOT DISTINCT FROM t.l`,
    order: 'n DESC, l',
  },
  sensors: {
    rows: `SELECT sensor, CAST(sum(messages) AS BIGINT) AS n FROM s GROUP BY sensor`,
    order: 'n DESC, sensor',
  },
  timeline: {
    rows: `SELECT strftime(hr, '%Y-%m-%dT%H:00:00Z') AS hour, ${PH_NAME} AS phase, n FROM t`,
    order: 'hour, phase',
    limit: 5000,
    first: { from: 't', order: `hr, ${PH_NAME}` },
  },
} as const satisfies Record<string, StoryList>;

type StoryKey = keyof typeof STORY_SQL;
type StoryRows = Record<StoryKey, Row[]>;

/** The columns of `events` a story reads: the scan copies only these. */
const STORY_COLUMNS = `event, ts, sensor, src_ip, method, number_kind, dialed_number, auth_user,
  to_user, ruri_user, from_user, password_guess, guess_source, auth_ok, dst_cc, number_type,
  ua_label, ua_category, src_cc, src_asn, src_as_name`;

/**
 * A list as one value: how many rows it has in all (`n`) and its rows as
 * structs, in order, at most its limit (`rows`; a JSON text once read).
 */
function listColumn(key: StoryKey): string {
  const l: StoryList = STORY_SQL[key];
  const order = l.order.replace(/(\w+)( DESC)?/g, 'x.$1$2');
  const limit = l.limit ?? LIST;
  if (l.first !== undefined) {
    return `(SELECT {'n': (SELECT count(*) FROM ${l.first.from}), 'rows': list(x ORDER BY ${order})}
      FROM (${l.rows} ORDER BY ${l.first.order} LIMIT ${limit}) x) AS ${key}`;
  }
  return `(SELECT {'n': count(*), 'rows': list(x ORDER BY ${order})[1:${limit}]}
    FROM (${l.rows}) x) AS ${key}`;
}

/** The timeline's rows before they are named: requests per hour and class. */
const TIMELINE = `t AS MATERIALIZED (SELECT hr, ph, ${N} FROM h GROUP BY hr, ph)`;

/** The story's relations (see RELATIONS) from the events `WHERE where`, read once. */
function scannedRelations(where: string): string {
  const rel = Object.entries(RELATIONS).map(
    ([name, table]) =>
      `${name} AS MATERIALIZED (${aggregated(rollupOf(table), 'SELECT * FROM e')})`,
  );
  return `e AS MATERIALIZED (SELECT ${STORY_COLUMNS} FROM events WHERE ${where}),
  ${rel.join(',\n  ')},
  s AS MATERIALIZED (${rollupSelect('TRUE', 'e')}),
  ${TIMELINE}`;
}

/**
 * A rollup table's rows `WHERE where`: one per key (summed) for a table
 * where store evidence appends negated rows, whose keys may sum to
 * nothing; as stored for the others (every list sums by its own key).
 */
function rolled(table: string, where: string): string {
  const r = rollupOf(table);
  return r.byEvidence && r.regroup === undefined
    ? compacted(r, where)
    : `SELECT * FROM ${table} WHERE ${where}`;
}

/** The story's relations from the rollup tables, their rows `WHERE where` (source and sensor). */
function rolledRelations(where: string): string {
  const rel = Object.entries(RELATIONS).map(
    ([name, table]) => `${name} AS MATERIALIZED (${rolled(table, where)})`,
  );
  return `${rel.join(',\n  ')},
  s AS MATERIALIZED (SELECT * FROM source_rollup WHERE ${where}),
  ${TIMELINE}`;
}

/** One statement: the head of the story and every list, over the relations of `WITH relations`. */
function storySql(relations: string): string {
  return `WITH ${relations}
  SELECT (SELECT CAST(sum(messages) AS BIGINT) FROM s) AS n,
    (SELECT min(first_ts) FROM s) AS first_ts, (SELECT max(last_ts) FROM s) AS last_ts,
    (${mostCommon('s', 'src_cc', 'messages')}) AS cc,
    (${mostCommon('s', 'src_asn', 'messages')}) AS asn,
    (${mostCommon('s', 'src_as_name', 'messages')}) AS as_name,
    ${(Object.keys(STORY_SQL) as StoryKey[]).map(listColumn).join(',\n    ')}`;
}

/** Where a story is read from: the rollups (current, scope without dates) or the events. */
export type StoryInput = 'rollups' | 'events';

export async function storyInput(db: Queryable, filter: ReportFilter): Promise<StoryInput> {
  return (await rollupUse(db, filter)) === 'all' ? 'rollups' : 'events';
}

/** A list cell (`{n, rows}` as JSON, see queryable.ts) back to its rows and how many there are in all. */
function listOf(cell: Row[string]): { rows: Row[]; n: number } {
  if (typeof cell !== 'string') return { rows: [], n: 0 };
  const v = JSON.parse(cell) as { n?: unknown; rows?: unknown } | null;
  const rows = Array.isArray(v?.rows) ? (v.rows as Row[]) : [];
  return { rows, n: typeof v?.n === 'number' ? v.n : rows.length };
}

/** The story's field that holds each list. */
const FIELD_OF = {
  methods: 'methods',
  phases: 'phases',
  ext: 'extensions_tried',
  creds: 'credentials',
  cracked: 'cracked',
  numbers: 'numbers',
  dcc: 'destination_countries',
  uas: 'user_agents',
  sensors: 'sensors',
  timeline: 'timeline',
} as const satisfies Record<StoryKey, keyof SourceStoryTotals>;

/**
 * The story of `ip` within `filter`; null when the scope holds no event
 * from it. Read from the rollups when `storyInput` allows (or `input` says).
 */
export async function querySourceStory(
  db: Queryable,
  filter: ReportFilter,
  ip: string,
  input?: StoryInput,
): Promise<SourceStory | null> {
  const from = input ?? (await storyInput(db, filter));
  const p = new SqlParams();
  const sql =
    from === 'rollups'
      ? storySql(rolledRelations(`src_ip = ${p.add(ip)} AND ${rollWhere(filter, p, null)}`))
      : storySql(scannedRelations(`${eventsWhere(filter, p)} AND src_ip = ${p.add(ip)}`));
  const [head] = await db.all(sql, p.values);
  if (head === undefined || num(head, 'n') === 0) return null;
  const rows: Partial<StoryRows> = {};
  const totals: Partial<Record<keyof SourceStoryTotals, number>> = {};
  for (const key of Object.keys(STORY_SQL) as StoryKey[]) {
    const l = listOf(head[key] ?? null);
    rows[key] = l.rows;
    totals[FIELD_OF[key]] = l.n;
  }
  return storyOf(ip, head, rows as StoryRows, totals as SourceStoryTotals);
}

/** A story from its rows: the API's (and the report's) field names. */
function storyOf(ip: string, head: Row, rows: StoryRows, totals: SourceStoryTotals): SourceStory {
  const asn = head['asn'];
  return {
    ip,
    cc: str(head, 'cc'),
    asn: typeof asn === 'number' ? asn : null,
    as_name: str(head, 'as_name'),
    messages: num(head, 'n'),
    first_ts: str(head, 'first_ts'),
    last_ts: str(head, 'last_ts'),
    methods: list(rows.methods, (r) => ({ method: str(r, 'method'), count: num(r, 'n') })),
    phases: list(rows.phases, (r) => ({
      phase: str(r, 'phase') ?? '',
      messages: num(r, 'n'),
      first_ts: str(r, 'first_ts') ?? '',
      last_ts: str(r, 'last_ts') ?? '',
    })),
    extensions_tried: list(rows.ext, (r) => ({ user: str(r, 'u') ?? '', count: num(r, 'n') })),
    credentials: list(rows.creds, (r) => ({
      user: str(r, 'u'),
      password: str(r, 'pw'),
      attempts: num(r, 'n'),
      cracked: r['ok'] === true,
    })),
    cracked: list(rows.cracked, (r) => ({
      user: str(r, 'u'),
      password: str(r, 'pw'),
      ts: str(r, 'ts') ?? '',
    })),
    numbers: list(rows.numbers, (r) => ({
      number: str(r, 'num') ?? '',
      country: str(r, 'cc'),
      type: str(r, 't'),
      invites: num(r, 'n'),
    })),
    destination_countries: list(rows.dcc, (r) => ({ cc: str(r, 'cc'), invites: num(r, 'n') })),
    user_agents: list(rows.uas, (r) => ({
      label: str(r, 'l'),
      category: str(r, 'c'),
      count: num(r, 'n'),
    })),
    sensors: list(rows.sensors, (r) => ({ sensor: str(r, 'sensor') ?? '', count: num(r, 'n') })),
    timeline: list(rows.timeline, (r) => ({
      hour: str(r, 'hour') ?? '',
      phase: str(r, 'phase') ?? '',
      messages: num(r, 'n'),
    })),
    totals,
  };
}
