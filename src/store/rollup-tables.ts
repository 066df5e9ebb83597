/**
 * @module
 * What the rollups are (docs/store.md, "Rollups"): each table's key and
 * value columns as SQL over event rows, and the SQL that aggregates event
 * rows into a table, appends them (negated, to take a contribution back)
 * and reads a table compacted to one row per key. The upkeep, when and
 * how the tables are written, is in rollups.ts.
 *
 * Must never put a value into SQL text: only fixed table and column names.
 */
import { PH_SQL } from './phase-class.js';

/** One rollup table: its key columns and summed columns, as SQL over event rows. */
export interface Rollup {
  readonly table: string;
  /** Only these rows count (SQL over an event row). */
  readonly where: string;
  /** Key column name and its expression. */
  readonly keys: readonly (readonly [string, string])[];
  /** Value column, its aggregate, and how two partial values combine. */
  readonly values: readonly (readonly [string, string, Combine])[];
  /**
   * Whether its rows depend on what store evidence changes (the message
   * class, the dialled number): their old contribution is subtracted and
   * the new one added (see `withRollupsAdjusted`).
   */
  readonly byEvidence: boolean;
  /**
   * For a table with first and last times by class, which a negated row
   * cannot narrow: the key columns whose rows store evidence rebuilds from
   * events instead (every row of the changed events' values of these keys).
   */
  readonly regroup?: readonly string[];
}

/** How two rows of one key combine: counts add up, first and last times widen, flags or. */
type Combine = 'sum' | 'first' | 'last' | 'or';
const SUM: Combine = 'sum';
const FIRST: Combine = 'first';
const LAST: Combine = 'last';
const OR: Combine = 'or';

/** The aggregate that combines rows of one key. */
const COMBINED: Record<Combine, string> = { sum: 'sum', first: 'min', last: 'max', or: 'bool_or' };

const REQ = `event = 'sip.request'`;
/** The user an extension-trying request aims at (the story's "extensions tried"). */
const EXT_USER = `coalesce(nullif(to_user, ''), ruri_user)`;
/** An event that tries an extension. */
const EXT = `(method IN ('REGISTER', 'INVITE', 'SUBSCRIBE', 'MESSAGE') AND ${EXT_USER} IS NOT NULL)`;
/** A request of the classes where users count (2 brute_force, 4 enumeration). */
const USER_CLASS = `(${REQ} AND (${PH_SQL}) IN (2, 4))`;
/** An event that authenticated: a configured password guessed, or the registrar said yes. */
const CRACKED = `(guess_source = 'configured' OR auth_ok)`;

/** The rollups; docs/store.md describes them, 0006_rollups.sql and 0007_story_rollups.sql create them. */
export const ROLLUPS: readonly Rollup[] = [
  {
    table: 'roll_hour',
    where: 'TRUE',
    keys: [
      ['hr', `date_trunc('hour', ts)`],
      ['sensor', 'sensor'],
      ['event', 'event'],
      ['method', `CASE WHEN ${REQ} THEN coalesce(method, '') ELSE '' END`],
      ['ph', `CASE WHEN ${REQ} THEN ${PH_SQL} ELSE 0 END`],
    ],
    values: [['n', 'count(*)', SUM]],
    byEvidence: true,
  },
  {
    table: 'roll_ua',
    where: REQ,
    keys: [
      ['sensor', 'sensor'],
      ['label', `coalesce(ua_label, 'undefined')`],
      ['family', `coalesce(ua_family, '')`],
      ['category', `coalesce(ua_category, '')`],
      ['src_ip', 'src_ip'],
    ],
    values: [['n', 'count(*)', SUM]],
    byEvidence: false,
  },
  // The story of one source (0007; analysis/queries/source-story.ts). Their
  // first key is src_ip: they are written in its order (see `bySource`).
  {
    table: 'roll_source_hour',
    where: REQ,
    keys: [
      ['src_ip', 'src_ip'],
      ['sensor', 'sensor'],
      ['hr', `date_trunc('hour', ts)`],
      ['ph', PH_SQL],
    ],
    values: [
      ['n', 'count(*)', SUM],
      ['first_ts', 'min(ts)', FIRST],
      ['last_ts', 'max(ts)', LAST],
    ],
    byEvidence: true,
    regroup: ['src_ip', 'sensor', 'hr'],
  },
  {
    table: 'roll_source_method',
    where: 'TRUE',
    keys: [
      ['src_ip', 'src_ip'],
      ['sensor', 'sensor'],
      ['method', 'method'],
    ],
    values: [['n', 'count(*)', SUM]],
    byEvidence: false,
  },
  {
    // Per-user counts of the phase section (classes 2 and 4: `ph`, `c`) and
    // the extensions a source tried (`ext`), in one table: the same users.
    table: 'roll_source_target',
    where: `${USER_CLASS} OR ${EXT}`,
    keys: [
      ['src_ip', 'src_ip'],
      ['sensor', 'sensor'],
      ['ph', `CASE WHEN ${USER_CLASS} THEN ${PH_SQL} ELSE 0 END`],
      ['ext', `coalesce(${EXT}, false)`],
      ['auth_user', 'auth_user'],
      ['u', EXT_USER],
    ],
    values: [
      ['n', 'count(*)', SUM],
      [
        'c',
        `count_if(${REQ} AND ((${PH_SQL}) = 2 OR ((${PH_SQL}) = 4 AND method = 'REGISTER')))`,
        SUM,
      ],
    ],
    byEvidence: true,
  },
  {
    table: 'roll_source_cred',
    where: 'auth_user IS NOT NULL OR password_guess IS NOT NULL',
    keys: [
      ['src_ip', 'src_ip'],
      ['sensor', 'sensor'],
      ['req', REQ],
      ['auth_user', 'auth_user'],
      ['password_guess', 'password_guess'],
    ],
    values: [
      ['n', 'count(*)', SUM],
      ['ok', CRACKED, OR],
    ],
    byEvidence: false,
  },
  {
    table: 'roll_source_cracked',
    where: CRACKED,
    keys: [
      ['src_ip', 'src_ip'],
      ['sensor', 'sensor'],
      ['u', 'coalesce(auth_user, from_user)'],
      ['password_guess', 'password_guess'],
    ],
    values: [
      ['n', 'count(*)', SUM],
      ['first_ts', 'min(ts)', FIRST],
    ],
    byEvidence: false,
  },
  {
    table: 'roll_source_number',
    where: `method = 'INVITE' AND dialed_number IS NOT NULL`,
    keys: [
      ['src_ip', 'src_ip'],
      ['sensor', 'sensor'],
      ['dialed_number', 'dialed_number'],
      ['dst_cc', 'dst_cc'],
      ['number_type', 'number_type'],
    ],
    values: [
      ['n', 'count(*)', SUM],
      ['first_ts', 'min(ts)', FIRST],
    ],
    byEvidence: true,
  },
];

/** Whether a table is kept in source order (its first key is src_ip), for reads of one source. */
function bySource(r: Rollup): boolean {
  return r.keys[0]?.[0] === 'src_ip';
}

/** Column names of a rollup, keys first, in the order of its table. */
export function columns(r: Rollup): string[] {
  return [...r.keys.map(([k]) => k), ...r.values.map(([k]) => k)];
}

/** `SELECT keys, aggregates FROM (rows) WHERE ... GROUP BY keys`, negated when `sign` is -1. */
function aggregate(r: Rollup, rows: string, sign: 1 | -1): string {
  const keys = r.keys.map(([k, e]) => `${e} AS ${k}`);
  const values = r.values.map(([k, agg, kind]) =>
    sign === -1 && kind === SUM ? `-${agg} AS ${k}` : `${agg} AS ${k}`,
  );
  return `SELECT ${[...keys, ...values].join(', ')} FROM (${rows}) WHERE ${r.where} GROUP BY ALL`;
}

/** Appends the sums of `rows` to the table (a key may then have several rows). */
export function append(r: Rollup, rows: string, sign: 1 | -1, order = ''): string {
  return `INSERT INTO ${r.table} (${columns(r).join(', ')}) ${aggregate(r, rows, sign)}${order}`;
}

/**
 * ` ORDER BY src_ip` for a table read one source at a time: written in
 * that order (full rebuild, compaction), each row group holds a narrow
 * range of addresses, and DuckDB skips the others by their min and max.
 */
export function sourceOrder(r: Rollup): string {
  return bySource(r) ? ' ORDER BY src_ip' : '';
}

/**
 * One row per key, the rows of a key combined (counts as BIGINT); keys
 * whose events all went (n = 0) dropped. `where` narrows the rows read.
 */
export function compacted(r: Rollup, where = 'TRUE'): string {
  const values = r.values.map(([k, , kind]) =>
    kind === SUM ? `CAST(sum(${k}) AS BIGINT) AS ${k}` : `${COMBINED[kind]}(${k}) AS ${k}`,
  );
  return `SELECT ${[...r.keys.map(([k]) => k), ...values].join(', ')} FROM ${r.table}
    WHERE ${where} GROUP BY ALL HAVING sum(n) <> 0`;
}

/** The rows of `r` over event rows `rows` (the aggregation the table holds), for reading as it. */
export function aggregated(r: Rollup, rows: string): string {
  return aggregate(r, rows, 1);
}

/** The rollup of a table name. */
export function rollupOf(table: string): Rollup {
  const r = ROLLUPS.find((x) => x.table === table);
  if (r === undefined) throw new Error(`no rollup ${table}`);
  return r;
}
