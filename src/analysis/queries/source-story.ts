/**
 * @module
 * One source's whole story: when it reached each attack phase (the classes
 * of queries/phases.ts), what it tried (extensions, credentials, numbers)
 * and got (cracked extensions), its user agents, sensors, AS and country,
 * and a timeline of its messages per hour and phase.
 */
import { num, str, type Queryable, type Row } from '../../store/queryable.js';
import { eventsWhere, SqlParams, type ReportFilter } from '../filter.js';
import type { SourceStory, SourceStoryTotals } from '../types.js';
import { PH_NAME, PH_SQL } from './phases.js';

export type { SourceStory, SourceStoryTotals } from '../types.js';

const LIST = 100;

function list<T>(rows: Row[], f: (r: Row) => T): T[] {
  return rows.map(f);
}

/** A list of a story: rows of `e` (the source's events in scope), their order, at most `limit`. */
interface StoryList {
  readonly rows: string;
  readonly order: string;
  readonly limit?: number;
}

/** Each list of a story. */
const STORY_SQL = {
  methods: { rows: `SELECT method, count(*) AS n FROM e GROUP BY method`, order: 'n DESC, method' },
  phases: {
    rows: `SELECT ${PH_NAME} AS phase, count(*) AS n, min(ts) AS first_ts, max(ts) AS last_ts
     FROM (SELECT ${PH_SQL} AS ph, ts FROM e WHERE event = 'sip.request') GROUP BY ph`,
    order: 'first_ts, phase',
  },
  ext: {
    rows: `SELECT coalesce(nullif(to_user, ''), ruri_user) AS u, count(*) AS n FROM e
     WHERE method IN ('REGISTER', 'INVITE', 'SUBSCRIBE', 'MESSAGE') AND coalesce(nullif(to_user, ''), ruri_user) IS NOT NULL
     GROUP BY u`,
    order: 'n DESC, u',
  },
  creds: {
    rows: `SELECT auth_user AS u, password_guess AS pw, count(*) AS n,
            bool_or(guess_source = 'configured' OR auth_ok) AS ok FROM e
     WHERE auth_user IS NOT NULL OR password_guess IS NOT NULL GROUP BY ALL`,
    order: 'ok DESC, n DESC, u, pw',
  },
  cracked: {
    rows: `SELECT coalesce(auth_user, from_user) AS u, password_guess AS pw, min(ts) AS ts FROM e
     WHERE guess_source = 'configured' OR auth_ok GROUP BY ALL`,
    order: 'ts, u, pw',
  },
  numbers: {
    rows: `SELECT dialed_number AS num, mode(dst_cc) AS cc, mode(number_type) AS t, count(*) AS n FROM e
     WHERE method = 'INVITE' AND dialed_number IS NOT NULL GROUP BY dialed_number`,
    order: 'n DESC, num',
  },
  dcc: {
    rows: `SELECT dst_cc AS cc, count(*) AS n FROM e WHERE method = 'INVITE' AND dialed_number IS NOT NULL
     GROUP BY dst_cc`,
    order: 'n DESC, cc',
  },
  uas: {
    rows: `SELECT ua_label AS l, mode(ua_category) AS c, count(*) AS n FROM e GROUP BY ua_label`,
    order: 'n DESC, l',
  },
  sensors: { rows: `SELECT sensor, count(*) AS n FROM e GROUP BY sensor`, order: 'n DESC, sensor' },
  timeline: {
    rows: `SELECT strftime(date_trunc('hour', ts), '%Y-%m-%dT%H:00:00Z') AS hour, ${PH_NAME} AS phase, count(*) AS n
     FROM (SELECT ${PH_SQL} AS ph, ts FROM e WHERE event = 'sip.request') GROUP BY ALL`,
    order: 'hour, phase',
    limit: 5000,
  },
} as const satisfies Record<string, StoryList>;

type StoryKey = keyof typeof STORY_SQL;
type StoryRows = Record<StoryKey, Row[]>;

/** The columns of `events` a story reads: the one pass over the events copies only these. */
const STORY_COLUMNS = `event, ts, method, number_kind, dialed_number, auth_user, to_user, ruri_user,
  from_user, password_guess, guess_source, auth_ok, dst_cc, number_type, ua_label, ua_category,
  sensor, src_cc, src_asn, src_as_name`;

/**
 * A list as one value: how many rows it has in all (`n`) and its rows as
 * structs, in order, at most its limit (`rows`; a JSON text once read).
 */
function listColumn(key: StoryKey): string {
  const l: StoryList = STORY_SQL[key];
  const order = l.order.replace(/(\w+)( DESC)?/g, 'x.$1$2');
  return `(SELECT {'n': count(*), 'rows': list(x ORDER BY ${order})[1:${l.limit ?? LIST}]}
    FROM (${l.rows}) x) AS ${key}`;
}

/** One statement: the events of the source are read once, every list is computed from that copy. */
function storySql(where: string): string {
  return `WITH e AS MATERIALIZED (SELECT ${STORY_COLUMNS} FROM events WHERE ${where})
  SELECT count(*) AS n, min(ts) AS first_ts, max(ts) AS last_ts, mode(src_cc) AS cc,
    mode(src_asn) AS asn, mode(src_as_name) AS as_name,
    ${(Object.keys(STORY_SQL) as StoryKey[]).map(listColumn).join(',\n    ')}
  FROM e`;
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

/** The story of `ip` within `filter`; null when the scope holds no event from it. */
export async function querySourceStory(
  db: Queryable,
  filter: ReportFilter,
  ip: string,
): Promise<SourceStory | null> {
  const p = new SqlParams();
  const where = `${eventsWhere(filter, p)} AND src_ip = ${p.add(ip)}`;
  const [head] = await db.all(storySql(where), p.values);
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
