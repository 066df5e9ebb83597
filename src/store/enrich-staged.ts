/**
 * @module
 * Enrichment of the staged rows before they enter `events`: looks up each
 * source address and User-Agent not yet in the dimension tables (dim_ip,
 * dim_ua) once, and resolves the dialed strings of each INVITE burst (one
 * source's INVITEs in time order, consecutive ones within the unification
 * gap) into `stage_numbers`. The final INSERT joins these in.
 *
 * Must never pass a value through SQL text: results go in by appender.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { isLookupAddress, type Enricher, type NumberEnrichment } from './enricher.js';

/**
 * Which staging table to enrich: `stage_events` (ids staged) or
 * `stage_legacy` (ids are prefix + line number, computed here for INVITEs
 * exactly as the SQL does for every row).
 */
export type StageSource =
  { readonly table: 'stage_events' } | { readonly table: 'stage_legacy'; readonly prefix: string };

/** Longest burst handed to the resolver at once; longer runs are cut. */
export const MAX_BURST = 5000;

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function appendNullable(
  a: { appendNull(): void; appendVarchar(v: string): void },
  v: string | null,
): void {
  if (v === null) a.appendNull();
  else a.appendVarchar(v);
}

async function enrichIps(conn: DuckDBConnection, enricher: Enricher, table: string): Promise<void> {
  const lookup = enricher.ip;
  if (!lookup) return;
  const res = await conn.runAndReadAll(
    `SELECT u.src_ip FROM (SELECT DISTINCT src_ip FROM ${table}) u
     WHERE NOT EXISTS (SELECT 1 FROM dim_ip d WHERE d.src_ip = u.src_ip)`,
  );
  const rows = res.getRowObjectsJS();
  if (rows.length === 0) return;
  const a = await conn.createAppender('dim_ip');
  try {
    for (const row of rows) {
      const ip = text(row['src_ip']);
      let info = null;
      if (isLookupAddress(ip)) {
        try {
          info = lookup(ip);
        } catch {
          info = null;
        }
      }
      a.appendVarchar(ip);
      appendNullable(a, info?.src_cc ?? null);
      if (info?.src_asn == null) a.appendNull();
      else a.appendInteger(info.src_asn);
      appendNullable(a, info?.src_as_name ?? null);
      a.endRow();
    }
  } finally {
    a.closeSync();
  }
}

async function enrichUserAgents(
  conn: DuckDBConnection,
  enricher: Enricher,
  table: string,
): Promise<void> {
  const classify = enricher.userAgent;
  if (!classify) return;
  const res = await conn.runAndReadAll(
    // Distinct values first, then the few of them checked against dim_ua.
    `SELECT u.ua FROM (SELECT DISTINCT coalesce(user_agent, '') AS ua FROM ${table}) u
     WHERE NOT EXISTS (SELECT 1 FROM dim_ua d WHERE d.user_agent = u.ua)`,
  );
  const rows = res.getRowObjectsJS();
  if (rows.length === 0) return;
  const a = await conn.createAppender('dim_ua');
  try {
    for (const row of rows) {
      const ua = text(row['ua']);
      let info = null;
      try {
        info = classify(ua);
      } catch {
        info = null;
      }
      a.appendVarchar(ua);
      appendNullable(a, info?.ua_label ?? null);
      appendNullable(a, info?.ua_family ?? null);
      appendNullable(a, info?.ua_category ?? null);
      a.endRow();
    }
  } finally {
    a.closeSync();
  }
}

/** Splits one source's time-ordered INVITEs into bursts: gap > limit or length cap starts a new one. */
export function splitBursts<T extends { readonly src: string; readonly tsMs: number }>(
  invites: readonly T[],
  gapMs: number,
  maxBurst = MAX_BURST,
): T[][] {
  const bursts: T[][] = [];
  let cur: T[] = [];
  let prev: T | null = null;
  for (const inv of invites) {
    if (
      prev !== null &&
      (inv.src !== prev.src || inv.tsMs - prev.tsMs > gapMs || cur.length >= maxBurst)
    ) {
      bursts.push(cur);
      cur = [];
    }
    cur.push(inv);
    prev = inv;
  }
  if (cur.length > 0) bursts.push(cur);
  return bursts;
}

async function enrichNumbers(
  conn: DuckDBConnection,
  enricher: Enricher,
  gapMinutes: number,
  source: StageSource,
): Promise<void> {
  const resolve = enricher.burst;
  if (!resolve) return;
  const res = await conn.runAndReadAll(
    source.table === 'stage_events'
      ? `SELECT event_id, src_ip, ts_ms, dialed FROM stage_events
         WHERE method = 'INVITE' AND dialed IS NOT NULL ORDER BY src_ip, ts_ms, event_id`
      : `SELECT line::VARCHAR AS event_id, src_ip, ts_ms, to_user AS dialed FROM stage_legacy
         WHERE method = 'INVITE' AND to_user IS NOT NULL ORDER BY src_ip, ts_ms, line`,
  );
  const prefix = source.table === 'stage_legacy' ? source.prefix : null;
  const idOf = (v: unknown): string => (prefix === null ? text(v) : prefix + text(v));
  const invites = res.getRowObjectsJS().map((r) => ({
    id: idOf(r['event_id']),
    src: text(r['src_ip']),
    tsMs: typeof r['ts_ms'] === 'number' ? r['ts_ms'] : 0,
    dialed: text(r['dialed']),
  }));
  if (invites.length === 0) return;
  const a = await conn.createAppender('stage_numbers');
  try {
    for (const burst of splitBursts(invites, gapMinutes * 60_000)) {
      let out: readonly NumberEnrichment[] = [];
      try {
        out = resolve(burst.map((b) => b.dialed));
      } catch {
        out = [];
      }
      burst.forEach((inv, i) => {
        const n = out[i];
        a.appendVarchar(inv.id);
        appendNullable(a, n?.dialed_number ?? null);
        appendNullable(a, n?.dst_cc ?? null);
        appendNullable(a, n?.number_type ?? null);
        appendNullable(a, n?.number_kind ?? null);
        appendNullable(a, n?.number_method ?? null);
        a.endRow();
      });
    }
  } finally {
    a.closeSync();
  }
}

/** Fills dim_ip, dim_ua and stage_numbers for what is in one staging table. */
export async function enrichStaged(
  conn: DuckDBConnection,
  enricher: Enricher,
  gapMinutes: number,
  source: StageSource = { table: 'stage_events' },
): Promise<void> {
  await enrichIps(conn, enricher, source.table);
  await enrichUserAgents(conn, enricher, source.table);
  await enrichNumbers(conn, enricher, gapMinutes, source);
}
