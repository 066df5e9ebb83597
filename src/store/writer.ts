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
import type { SnareEvent } from '../events/catalog.js';
import type { Enricher } from './enricher.js';
import { enrichStaged, type StageSource } from './enrich-staged.js';
import { catchUpSourceRollup, rollBatch, type RollupMode } from './source-rollup.js';
import type { Store } from './store.js';
import {
  DEDUPLICATE_STAGED,
  DROP_STORED_STAGED,
  BATCH_TO_EVENTS,
  LEGACY_TO_EVENTS_FRESH,
  LEGACY_TO_EVENTS_KNOWN,
  STAGE_COLUMNS,
  STAGE_DDL,
  STAGE_TO_BATCH,
  STORED_IDS,
  STORED_STAGED,
} from './writer-sql.js';
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
      insert: () => appendingRollups(conn, this.rollupMode, insert, 'events', batch, params),
      from: 'events',
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
    await conn.run(STAGE_TO_BATCH);
    const insert = (): Promise<DuckDBMaterializedResult> => conn.run(BATCH_TO_EVENTS);
    const added = await rollBatch(conn, this.rollupMode, {
      insert: () => appendingRollups(conn, this.rollupMode, insert, 'batch_events', 'TRUE', []),
      from: 'batch_events',
      where: 'TRUE',
      params: [],
    });
    await conn.run('DROP TABLE batch_events');
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
