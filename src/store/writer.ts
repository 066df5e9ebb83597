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
import type { DuckDBAppender } from '@duckdb/node-api';
import { FIELDS, FIELD_NAMES, type SnareEvent } from '../events/catalog.js';
import type { Enricher } from './enricher.js';
import { enrichStaged, type StageSource } from './enrich-staged.js';
import type { Store } from './store.js';

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

const STAGE_DDL = [
  `CREATE OR REPLACE TEMP TABLE stage_events (${STAGE_COLUMNS.map((c) => c.sql).join(', ')}, origin VARCHAR)`,
  `CREATE OR REPLACE TEMP TABLE stage_legacy (line BIGINT, ts_ms DOUBLE, src_ip VARCHAR, method VARCHAR,
     from_user VARCHAR, to_user VARCHAR, response DOUBLE, user_agent VARCHAR)`,
  `CREATE OR REPLACE TEMP TABLE stage_numbers (event_id VARCHAR, dialed_number VARCHAR, dst_cc VARCHAR,
     number_type VARCHAR, number_kind VARCHAR, number_method VARCHAR)`,
];

const ENRICH_COLUMNS = `ip.src_cc, ip.src_asn, ip.src_as_name,
    coalesce(ua.ua_label, CASE WHEN coalesce(s.user_agent, '') = '' THEN 'undefined' ELSE s.user_agent END),
    ua.ua_family, ua.ua_category,
    n.dialed_number, n.dst_cc, n.number_type, n.number_kind, n.number_method`;

const ENRICH_ONLY = `LEFT JOIN dim_ip ip ON ip.src_ip = s.src_ip
  LEFT JOIN dim_ua ua ON ua.user_agent = coalesce(s.user_agent, '')
  LEFT JOIN stage_numbers n ON n.event_id = s.event_id`;

const ENRICH_JOINS = `${ENRICH_ONLY}
  WHERE NOT EXISTS (SELECT 1 FROM events e
    WHERE e.event_id = s.event_id AND e.ts BETWEEN epoch_ms($1::BIGINT) AND epoch_ms($2::BIGINT))`;

/**
 * Staged legacy lines straight into events (no wide staging copy: writing
 * null columns twice was a third of the import time). `$3` = event-id
 * prefix, `$4` = sensor. `NEW_ONLY` is replaced by the stored-id check, or
 * by nothing when no stored event can share an id (see `flush`).
 */
const LEGACY_TO_EVENTS_TEMPLATE = `INSERT INTO events (event, event_id, ts, sensor, src_ip, method, from_user, to_user,
    response, user_agent, ruri_user, dialed, origin, src_cc, src_asn, src_as_name, ua_label, ua_family,
    ua_category, dialed_number, dst_cc, number_type, number_kind, number_method)
  SELECT 'sip.request', s.event_id, epoch_ms(CAST(s.ts_ms AS BIGINT)), $4, s.src_ip, s.method, s.from_user,
    s.to_user, TRY_CAST(s.response AS INTEGER), s.user_agent, s.dialed, s.dialed, 'legacy', ${ENRICH_COLUMNS}
  FROM (SELECT *, $3 || line::VARCHAR AS event_id,
      CASE WHEN method = 'INVITE' THEN to_user END AS dialed FROM stage_legacy) s
  NEW_ONLY`;
const LEGACY_TO_EVENTS = LEGACY_TO_EVENTS_TEMPLATE.replace('NEW_ONLY', ENRICH_JOINS);
/** Without the stored-id check; `$1` = prefix, `$2` = sensor (DuckDB wants no gaps in the numbers). */
const LEGACY_TO_EVENTS_FRESH = LEGACY_TO_EVENTS_TEMPLATE.replace(
  'NEW_ONLY',
  `${ENRICH_ONLY} NEW_ONLY`,
)
  .replace('$3', '$1')
  .replace('$4', '$2');

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

/** Legacy insert checked against `stored_ids`; `$1` = prefix, `$2` = sensor. */
const LEGACY_TO_EVENTS_KNOWN = LEGACY_TO_EVENTS_FRESH.replace(
  'NEW_ONLY',
  'WHERE NOT EXISTS (SELECT 1 FROM stored_ids k WHERE k.event_id = s.event_id)',
);

function castFor(name: string): string {
  if (name === 'cseq' || name === 'period_ms') return `TRY_CAST(s.${name} AS BIGINT)`;
  return `TRY_CAST(s.${name} AS INTEGER)`;
}

/** Moves staged rows into events: enrichment joined in, stored event ids skipped. */
const STAGE_TO_EVENTS = `INSERT INTO events (${FIELD_NAMES.join(', ')}, origin, src_cc, src_asn,
    src_as_name, ua_label, ua_family, ua_category, dialed_number, dst_cc, number_type, number_kind)
  SELECT ${STAGE_COLUMNS.map((c) =>
    c.kind === 'timestamp'
      ? 'epoch_ms(CAST(s.ts_ms AS BIGINT))'
      : c.kind === 'int'
        ? castFor(c.name)
        : `s.${c.name}`,
  ).join(', ')},
    s.origin, ${ENRICH_COLUMNS}
  FROM stage_events s
  ${ENRICH_JOINS}`;

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
    for (const ddl of STAGE_DDL) await store.conn.run(ddl);
    return new StoreWriter(
      store,
      opts,
      await store.conn.createAppender('stage_events'),
      await store.conn.createAppender('stage_legacy'),
    );
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
    let added = 0;
    let staged = 0;
    if (this.legacyCount > 0 && this.legacyCtx) {
      const ctx = this.legacyCtx;
      this.legacy.flushSync();
      staged += this.legacyCount;
      this.legacyCount = 0;
      added += await this.moveStaged(
        { table: 'stage_legacy', prefix: ctx.prefix },
        LEGACY_TO_EVENTS,
        [ctx.prefix, ctx.sensor],
        LEGACY_TO_EVENTS_FRESH,
      );
    }
    if (this.eventsCount > 0) {
      this.events.flushSync();
      staged += this.eventsCount;
      this.eventsCount = 0;
      // Once per id before enrichment, so an INVITE staged twice gets one number row.
      if (this.ownIds) await this.store.conn.run(DEDUPLICATE_STAGED);
      this.ownIds = false;
      added += await this.moveStaged({ table: 'stage_events' }, STAGE_TO_EVENTS, []);
    }
    return { added, duplicates: staged - added };
  }

  /**
   * `freshSql` (only `params` as parameters, `NEW_ONLY` to fill) is used
   * instead of `sql` with the ids of `STORED_IDS` for the sensor `params[1]`.
   */
  private async moveStaged(
    source: StageSource,
    sql: string,
    params: string[],
    freshSql?: string,
  ): Promise<number> {
    const conn = this.store.conn;
    await enrichStaged(conn, this.opts.enricher, this.opts.gapMinutes, source);
    const range = await conn.runAndReadAll(
      `SELECT CAST(min(ts_ms) AS BIGINT) AS lo, CAST(max(ts_ms) AS BIGINT) AS hi FROM ${source.table}`,
    );
    const r = range.getRowObjectsJS()[0] ?? {};
    const lo = (r['lo'] ?? 0n) as bigint;
    const hi = (r['hi'] ?? 0n) as bigint;
    let res;
    if (freshSql !== undefined && params[1] !== undefined) {
      await conn.run(STORED_IDS, [lo, hi, params[1]]);
      const known = await conn.runAndReadAll('SELECT count(*) AS n FROM stored_ids');
      const none = Number(known.getRowObjectsJS()[0]?.['n'] ?? 0) === 0;
      res = await conn.run(
        none ? freshSql.replace('NEW_ONLY', '') : LEGACY_TO_EVENTS_KNOWN,
        params,
      );
      await conn.run('DROP TABLE stored_ids');
    } else {
      res = await conn.run(sql, [lo, hi, ...params]);
    }
    await conn.run(`DELETE FROM ${source.table}`);
    await conn.run('DELETE FROM stage_numbers');
    return res.rowsChanged;
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
