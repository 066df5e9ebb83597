/**
 * @module
 * Writes events into the store fast and idempotently. Rows go through DuckDB
 * Appenders into in-memory staging tables (the fastest path measured from
 * Node, see docs/store.md); `flush` then enriches once per distinct source
 * address, User-Agent and INVITE burst, and moves the staged rows into
 * `events` in one INSERT ... SELECT that skips every `event_id` already
 * stored. Imported legacy lines take a narrower staging table whose
 * event ids are computed in SQL.
 *
 * Must never put a value into SQL text: attacker strings travel through the
 * appender or as bound parameters only.
 */
import type { DuckDBAppender, DuckDBMaterializedResult } from '@duckdb/node-api';
import { FIELDS, FIELD_NAMES, type SnareEvent } from '../events/catalog.js';
import type { Enricher } from './enricher.js';
import { enrichStaged, type StageSource } from './enrich-staged.js';
import { catchUpSourceRollup, rollBatch, type RollupMode } from './source-rollup.js';
import type { Store } from './store.js';
import { appendingRollups, ensureRollups, markRollupsStale } from './rollups.js';

/** Where a stored event came from (the `origin` column). */
export const ORIGINS = [
  'sensor',
  'jsonl',
  'legacy',
  'honeynet',
  'pcap',
  'asterisk',
  'freeswitch',
] as const;
export type Origin = (typeof ORIGINS)[number];

/** Columns of `stage_events`: the event fields (ts as epoch milliseconds) and origin. */
const STAGE_COLUMNS = FIELD_NAMES.map((name) => {
  const kind = FIELDS[name].kind;
  if (kind === 'timestamp') return { name, sql: 'ts_ms DOUBLE', kind };
  if (kind === 'int') return { name, sql: `${name} DOUBLE`, kind };
  if (kind === 'bool') return { name, sql: `${name} BOOLEAN`, kind };
  return { name, sql: `${name} VARCHAR`, kind };
});

/**
 * The staging tables. They are made anew after every flush rather than
 * emptied: DuckDB keeps the memory of rows deleted from a temporary table
 * (measured: 60 batches of 5,000 rows deleted one after the other left
 * 117 MB in use, against 11 MB when each batch got a fresh table), so a
 * long-running sensor's store grew with every batch it wrote.
 */
const STAGE_DDL = {
  stage_events: `CREATE OR REPLACE TEMP TABLE stage_events (${STAGE_COLUMNS.map((c) => c.sql).join(', ')}, origin VARCHAR)`,
  stage_legacy: `CREATE OR REPLACE TEMP TABLE stage_legacy (line BIGINT, ts_ms DOUBLE, src_ip VARCHAR, method VARCHAR,
     from_user VARCHAR, to_user VARCHAR, response DOUBLE, user_agent VARCHAR)`,
  stage_numbers: `CREATE OR REPLACE TEMP TABLE stage_numbers (event_id VARCHAR, dialed_number VARCHAR, dst_cc VARCHAR,
     number_type VARCHAR, number_kind VARCHAR, number_method VARCHAR)`,
} as const;

/** A column of `events` and the SQL expression that fills it, side by side. */
type Filled = readonly [column: string, expression: string];

/** `INSERT INTO events (columns) SELECT expressions rest`, each column named beside its value. */
function insertIntoEvents(filled: readonly Filled[], rest: string): string {
  return `INSERT INTO events (${filled.map(([column]) => column).join(', ')})
  SELECT ${filled.map(([, expression]) => expression).join(', ')}
  ${rest}`;
}

/** The enrichment columns, from the joins of `ENRICH_JOINS` over the staged rows `s`. */
const ENRICHED: readonly Filled[] = [
  ['src_cc', 'ip.src_cc'],
  ['src_asn', 'ip.src_asn'],
  ['src_as_name', 'ip.src_as_name'],
  [
    'ua_label',
    `coalesce(ua.ua_label, CASE WHEN coalesce(s.user_agent, '') = '' THEN 'undefined' ELSE s.user_agent END)`,
  ],
  ['ua_family', 'ua.ua_family'],
  ['ua_category', 'ua.ua_category'],
  ['dialed_number', 'n.dialed_number'],
  ['dst_cc', 'n.dst_cc'],
  ['number_type', 'n.number_type'],
  ['number_kind', 'n.number_kind'],
  ['number_method', 'n.number_method'],
];

/** Joins the enrichment dimensions and the staged numbers to the staged rows `s`. */
const ENRICH_JOINS = `LEFT JOIN dim_ip ip ON ip.src_ip = s.src_ip
  LEFT JOIN dim_ua ua ON ua.user_agent = coalesce(s.user_agent, '')
  LEFT JOIN stage_numbers n ON n.event_id = s.event_id`;

/**
 * Staged legacy lines straight into events (no wide staging copy: writing
 * null columns twice was a third of the import time). `$1` = event-id
 * prefix, `$2` = sensor; `where` keeps only new ids, or is empty when no
 * stored event can share one (see `flushLegacy`).
 */
function legacyInsert(where: string): string {
  return insertIntoEvents(
    [
      ['event', `'sip.request'`],
      ['event_id', 's.event_id'],
      ['ts', 'epoch_ms(CAST(s.ts_ms AS BIGINT))'],
      ['sensor', '$2'],
      ['src_ip', 's.src_ip'],
      ['method', 's.method'],
      ['from_user', 's.from_user'],
      ['to_user', 's.to_user'],
      ['response', 'TRY_CAST(s.response AS INTEGER)'],
      ['user_agent', 's.user_agent'],
      ['ruri_user', 's.dialed'],
      ['dialed', 's.dialed'],
      ['origin', `'legacy'`],
      ...ENRICHED,
    ],
    `FROM (SELECT *, $1 || line::VARCHAR AS event_id,
      CASE WHEN method = 'INVITE' THEN to_user END AS dialed FROM stage_legacy) s
  ${ENRICH_JOINS}
  ${where}`,
  );
}

/** Legacy lines when no stored event of the sensor lies in their time range. */
const LEGACY_TO_EVENTS_FRESH = legacyInsert('');
/** Legacy lines checked against the ids set aside by `STORED_IDS`. */
const LEGACY_TO_EVENTS_KNOWN = legacyInsert(
  'WHERE NOT EXISTS (SELECT 1 FROM stored_ids k WHERE k.event_id = s.event_id)',
);

/**
 * Sets aside the ids of stored events of this sensor within the staged time
 * range ($1, $2 in epoch ms, $3 = sensor). Legacy ids are a prefix
 * derived from the sensor and the file, plus the line number, and a line's event keeps
 * its sensor and time; so only these can equal a staged id, and the insert
 * checks against them, not against every stored id (that anti-join was
 * about half of the insert). Usually none or a few (a second that
 * straddles two batches); all of a batch when an import cut short is
 * repeated.
 */
const STORED_IDS = `CREATE OR REPLACE TEMP TABLE stored_ids AS SELECT event_id FROM events
  WHERE sensor = $3 AND ts BETWEEN epoch_ms($1::BIGINT) AND epoch_ms($2::BIGINT)`;

/** A staged event field as the value of its `events` column. */
function stagedValue(c: (typeof STAGE_COLUMNS)[number]): string {
  if (c.kind === 'timestamp') return 'epoch_ms(CAST(s.ts_ms AS BIGINT))';
  if (c.kind !== 'int') return `s.${c.name}`;
  if (c.name === 'cseq' || c.name === 'period_ms') return `TRY_CAST(s.${c.name} AS BIGINT)`;
  return `TRY_CAST(s.${c.name} AS INTEGER)`;
}

/** Moves staged rows into events, enrichment joined in (stored ids already taken out). */
const STAGE_TO_EVENTS = insertIntoEvents(
  [
    ...STAGE_COLUMNS.map((c): Filled => [c.name, stagedValue(c)]),
    ['origin', 's.origin'],
    ...ENRICHED,
  ],
  `FROM stage_events s
  ${ENRICH_JOINS}`,
);

/**
 * Sets aside the staged ids already stored, looking only at stored events
 * in the staged time range ($1, $2 in epoch ms). Written as a semi-join of
 * `events` on the staged ids, so the hash table is built over the batch
 * (thousands of ids), not over the stored events of the range, and the
 * scan of `events` skips the row groups whose ids and times cannot match.
 * Measured against the anti-join it replaces: docs/benchmarks.md, "Network".
 */
const STORED_STAGED = `CREATE OR REPLACE TEMP TABLE stored_ids AS
  SELECT DISTINCT e.event_id FROM events e
  WHERE e.ts BETWEEN epoch_ms($1::BIGINT) AND epoch_ms($2::BIGINT)
    AND e.event_id IN (SELECT event_id FROM stage_events)`;

/** Drops the staged rows whose id `STORED_STAGED` found stored. */
const DROP_STORED_STAGED = `DELETE FROM stage_events
  WHERE event_id IN (SELECT event_id FROM stored_ids)`;

/** Removes all but one staged row of each event id (ids from files may repeat). */
const DEDUPLICATE_STAGED = `DELETE FROM stage_events WHERE rowid IN (
  SELECT rowid FROM (SELECT rowid, row_number() OVER (PARTITION BY event_id ORDER BY rowid) AS k
    FROM stage_events) WHERE k > 1)`;

export interface FlushResult {
  /** Events added to the store. */
  readonly added: number;
  /** Staged events whose event_id was already stored (or staged twice). */
  readonly duplicates: number;
}

export interface WriterOptions {
  readonly enricher: Enricher;
  /** Unification gap in minutes: INVITE bursts for number resolution. */
  readonly gapMinutes: number;
  /**
   * How the rollups follow the batches: 'merge' (default) folds each
   * batch into `source_rollup` and appends it to the `roll_*` tables
   * (store/rollups.ts) within its transaction; 'defer' marks them stale and
   * leaves them to a rebuild at the end (an import).
   */
  readonly sourceRollup?: RollupMode;
}

/**
 * One writer per store connection. Appends are synchronous; `flush` is
 * async and must not run twice at once (callers await it).
 */
export class StoreWriter {
  private legacyCtx: { prefix: string; sensor: string } | null = null;
  private eventsCount = 0;
  private legacyCount = 0;
  /** Set when rows came with their own ids, which may repeat within a batch. */
  private ownIds = false;

  private constructor(
    private readonly store: Store,
    private readonly opts: WriterOptions,
    private events: DuckDBAppender,
    private legacy: DuckDBAppender,
  ) {}

  static async create(store: Store, opts: WriterOptions): Promise<StoreWriter> {
    for (const ddl of Object.values(STAGE_DDL)) await store.conn.run(ddl);
    // An import cut short left the per-source counts behind: catch up before adding to them.
    if (opts.sourceRollup !== 'defer') await catchUpSourceRollup(store.conn);
    if (opts.sourceRollup === 'defer') await markRollupsStale(store.conn);
    else await ensureRollups(store.conn);
    return new StoreWriter(
      store,
      opts,
      await store.conn.createAppender('stage_events'),
      await store.conn.createAppender('stage_legacy'),
    );
  }

  private get rollupMode(): RollupMode {
    return this.opts.sourceRollup ?? 'merge';
  }

  /** Rows staged since the last flush. */
  get staged(): number {
    return this.eventsCount + this.legacyCount;
  }

  /** Stages one event (a validated JSON line, a live event, a parsed record). */
  appendEvent(ev: SnareEvent, origin: Origin, ownId = true): void {
    const a = this.events;
    this.ownIds ||= ownId;
    for (const c of STAGE_COLUMNS) {
      const v = ev[c.name];
      if (v === null) a.appendNull();
      else if (c.kind === 'timestamp') a.appendDouble(Date.parse(v as string));
      else if (c.kind === 'int') a.appendDouble(v as number);
      else if (c.kind === 'bool') a.appendBoolean(v as boolean);
      else a.appendVarchar(v as string);
    }
    a.appendVarchar(origin);
    a.endRow();
    this.eventsCount++;
  }

  /**
   * Starts staging legacy lines of one file: their event ids are
   * prefix + line number (ingest/import-ledger.ts importEventId). Flushes first when the context changes.
   */
  async beginLegacy(prefix: string, sensor: string): Promise<void> {
    if (this.legacyCtx && (this.legacyCtx.prefix !== prefix || this.legacyCtx.sensor !== sensor)) {
      await this.flush();
    }
    this.legacyCtx = { prefix, sensor };
  }

  /**
   * Counts rows put into `stage_legacy` by SQL (the bulk legacy reader,
   * after `beginLegacy`), so the next flush moves them.
   */
  noteStagedLegacy(rows: number): void {
    this.legacyCount += rows;
  }

  /** Stages one legacy line (after `beginLegacy`); the hot path of a large import. */
  appendLegacy(
    line: number,
    tsMs: number,
    srcIp: string,
    method: string,
    fromUser: string | null,
    toUser: string | null,
    response: number | null,
    userAgent: string | null,
  ): void {
    const a = this.legacy;
    a.appendDouble(line);
    a.appendDouble(tsMs);
    a.appendVarchar(srcIp);
    a.appendVarchar(method);
    if (fromUser === null) a.appendNull();
    else a.appendVarchar(fromUser);
    if (toUser === null) a.appendNull();
    else a.appendVarchar(toUser);
    if (response === null) a.appendNull();
    else a.appendDouble(response);
    if (userAgent === null) a.appendNull();
    else a.appendVarchar(userAgent);
    a.endRow();
    this.legacyCount++;
  }

  /** Enriches and stores everything staged; returns what was added. */
  async flush(): Promise<FlushResult> {
    const legacy = await this.flushLegacy();
    const events = await this.flushEvents();
    const staged = legacy.staged + events.staged;
    const added = legacy.added + events.added;
    return { added, duplicates: staged - added };
  }

  /** Staged legacy lines into events, checked only against the ids they could repeat. */
  private async flushLegacy(): Promise<{ staged: number; added: number }> {
    const ctx = this.legacyCtx;
    const staged = this.legacyCount;
    if (staged === 0 || !ctx) return { staged: 0, added: 0 };
    this.legacy.flushSync();
    this.legacyCount = 0;
    const conn = this.store.conn;
    const source: StageSource = { table: 'stage_legacy', prefix: ctx.prefix };
    await enrichStaged(conn, this.opts.enricher, this.opts.gapMinutes, source);
    const { lo, hi } = await this.stagedRange(source.table);
    await conn.run(STORED_IDS, [lo, hi, ctx.sensor]);
    const none = (await this.count('stored_ids')) === 0;
    const batch = `sensor = $3 AND ts BETWEEN epoch_ms($1::BIGINT) AND epoch_ms($2::BIGINT)
        AND event_id IN (SELECT $4 || line::VARCHAR FROM stage_legacy)
        ${none ? '' : 'AND event_id NOT IN (SELECT event_id FROM stored_ids)'}`;
    const params = [lo, hi, ctx.sensor, ctx.prefix];
    const insert = (): Promise<DuckDBMaterializedResult> =>
      conn.run(none ? LEGACY_TO_EVENTS_FRESH : LEGACY_TO_EVENTS_KNOWN, [ctx.prefix, ctx.sensor]);
    const added = await rollBatch(conn, this.rollupMode, {
      insert: () => appendingRollups(conn, this.rollupMode, insert, batch, params),
      where: batch,
      params,
    });
    await conn.run('DROP TABLE stored_ids');
    await this.clearStaged(source.table);
    return { staged, added };
  }

  /** Staged events into events, once per id, skipping ids already stored. */
  private async flushEvents(): Promise<{ staged: number; added: number }> {
    const staged = this.eventsCount;
    if (staged === 0) return { staged: 0, added: 0 };
    this.events.flushSync();
    this.eventsCount = 0;
    const conn = this.store.conn;
    // Once per id before enrichment, so an INVITE staged twice gets one number row.
    if (this.ownIds && (await this.stagedTwice())) await conn.run(DEDUPLICATE_STAGED);
    this.ownIds = false;
    await enrichStaged(conn, this.opts.enricher, this.opts.gapMinutes, { table: 'stage_events' });
    const { lo, hi } = await this.stagedRange('stage_events');
    await conn.run(STORED_STAGED, [lo, hi]);
    if ((await this.count('stored_ids')) > 0) await conn.run(DROP_STORED_STAGED);
    await conn.run('DROP TABLE stored_ids');
    const batch = `ts BETWEEN epoch_ms($1::BIGINT) AND epoch_ms($2::BIGINT)
        AND event_id IN (SELECT event_id FROM stage_events)`;
    const added = await rollBatch(conn, this.rollupMode, {
      insert: () =>
        appendingRollups(conn, this.rollupMode, () => conn.run(STAGE_TO_EVENTS), batch, [lo, hi]),
      where: batch,
      params: [lo, hi],
    });
    await this.clearStaged('stage_events');
    return { staged, added };
  }

  /** True when an event id is staged more than once (counting is cheaper than the delete). */
  private async stagedTwice(): Promise<boolean> {
    const r = await this.store.conn.runAndReadAll(
      'SELECT count(*) <> count(DISTINCT event_id) AS twice FROM stage_events',
    );
    return r.getRowObjectsJS()[0]?.['twice'] === true;
  }

  /** Rows of a temporary table. */
  private async count(table: 'stored_ids'): Promise<number> {
    const r = await this.store.conn.runAndReadAll(`SELECT count(*) AS n FROM ${table}`);
    return Number(r.getRowObjectsJS()[0]?.['n'] ?? 0);
  }

  /** The staged rows' first and last time, in epoch milliseconds. */
  private async stagedRange(table: StageSource['table']): Promise<{ lo: bigint; hi: bigint }> {
    const range = await this.store.conn.runAndReadAll(
      `SELECT CAST(min(ts_ms) AS BIGINT) AS lo, CAST(max(ts_ms) AS BIGINT) AS hi FROM ${table}`,
    );
    const r = range.getRowObjectsJS()[0] ?? {};
    return { lo: (r['lo'] ?? 0n) as bigint, hi: (r['hi'] ?? 0n) as bigint };
  }

  /** Empties a staging table (and the staged numbers) by making them anew (see STAGE_DDL). */
  private async clearStaged(table: StageSource['table']): Promise<void> {
    const conn = this.store.conn;
    if (table === 'stage_events') this.events.closeSync();
    else this.legacy.closeSync();
    await conn.run(STAGE_DDL[table]);
    await conn.run(STAGE_DDL.stage_numbers);
    if (table === 'stage_events') this.events = await conn.createAppender('stage_events');
    else this.legacy = await conn.createAppender('stage_legacy');
  }

  /** Flushes and closes the appenders; the writer is unusable afterwards. */
  async close(): Promise<FlushResult> {
    const r = await this.flush();
    this.events.closeSync();
    this.legacy.closeSync();
    this.legacyCtx = null;
    return r;
  }
}
