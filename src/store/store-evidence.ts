/**
 * @module
 * Store-wide evidence for dialed numbers (docs/enrichment.md): after an
 * import, INVITEs whose string stayed unresolved, or resolved only as a
 * bare number with no prefix, take a number that other sources in the
 * store dialled in full when their digits are its national part or end
 * with it (src/enrich/store-evidence.ts decides). Their events get that
 * number with `number_method = 'store'`; `calls` is rebuilt afterwards.
 *
 * Values go in by appender and bound parameters only.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { queryable, type Queryable } from './queryable.js';
import { withRollupsAdjusted } from './rollups.js';
import {
  cleanDialed,
  StoreEvidence,
  type DialedResolution,
  type FullNumber,
} from '../enrich/index.js';

const INVITES = `event = 'sip.request' AND method = 'INVITE' AND dialed IS NOT NULL`;

/** Strings waiting for evidence: unresolved, or read bare (the digits are the number's). */
const WAITING = `(number_kind = 'invalid'
  OR (number_method = 'alone' AND dialed = substr(dialed_number, 2)))`;

/** Numbers dialled in full: resolved by the string or its burst, with a prefix or '+'. */
const FULL = `SELECT dialed_number AS e164, any_value(dst_cc) AS cc, any_value(number_type) AS type,
    count(DISTINCT src_ip)::INTEGER AS sources, min(src_ip) AS some_source
  FROM events
  WHERE ${INVITES} AND number_kind = 'external' AND number_method IN ('alone', 'burst', 'tail')
    AND dialed <> substr(dialed_number, 2)
  GROUP BY dialed_number`;

const TARGETS = `SELECT DISTINCT src_ip, dialed, dialed_number, number_kind FROM events
  WHERE ${INVITES} AND ${WAITING}`;

/** The stored INVITEs a match applies to (`events` joined with `store_matches m`). */
const MATCHED = `events.src_ip = m.src_ip AND events.dialed = m.dialed
    AND events.event = 'sip.request' AND events.method = 'INVITE' AND ${WAITING.replaceAll(
      /\b(number_kind|number_method|dialed_number|dialed)\b/g,
      'events.$1',
    )}`;

const UPDATE = `UPDATE events SET dialed_number = m.dialed_number, dst_cc = m.dst_cc,
    number_type = m.number_type, number_kind = 'external', number_method = 'store'
  FROM store_matches m
  WHERE ${MATCHED}`;

/** Ids of the rows UPDATE changes (they move to the abuse class: the rollups follow). */
const UPDATED_IDS = `SELECT events.event_id FROM events, store_matches m WHERE ${MATCHED}`;

function text(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** The numbers the store holds as dialled in full, indexed (for `sipsnare number --db`). */
export async function loadStoreEvidence(db: Queryable): Promise<StoreEvidence> {
  const rows = await db.all(FULL);
  const full: FullNumber[] = rows.map((r) => ({
    e164: text(r['e164']) ?? '',
    cc: text(r['cc']),
    type: text(r['type']),
    sources: typeof r['sources'] === 'number' ? r['sources'] : 0,
    someSource: text(r['some_source']) ?? '',
  }));
  return new StoreEvidence(full);
}

/** Applies store-wide evidence to the stored INVITEs; returns how many distinct strings took a number. */
export async function applyStoreEvidence(conn: DuckDBConnection): Promise<number> {
  const targets = (await conn.runAndReadAll(TARGETS)).getRowObjectsJS();
  if (targets.length === 0) return 0;
  const evidence = await loadStoreEvidence(queryable(conn));
  if (evidence.size === 0) return 0;
  const matches: { src: string; dialed: string; r: DialedResolution }[] = [];
  for (const t of targets) {
    const dialed = text(t['dialed']) ?? '';
    const src = text(t['src_ip']) ?? '';
    const clean = cleanDialed(dialed);
    if (clean.junk || clean.featureCode || clean.plusAt >= 0) continue;
    const e164 = text(t['dialed_number']);
    const current: DialedResolution = {
      kind: e164 === null ? 'invalid' : 'external',
      e164,
      cc: null,
      type: null,
      prefix: null,
      method: e164 === null ? null : 'alone',
      steps: [],
    };
    const r = evidence.match(clean.digits, src, current);
    if (r !== null) matches.push({ src, dialed, r });
  }
  if (matches.length === 0) return 0;
  await conn.run(`CREATE OR REPLACE TEMP TABLE store_matches (src_ip VARCHAR, dialed VARCHAR,
    dialed_number VARCHAR, dst_cc VARCHAR, number_type VARCHAR)`);
  const a = await conn.createAppender('store_matches');
  try {
    for (const m of matches) {
      a.appendVarchar(m.src);
      a.appendVarchar(m.dialed);
      a.appendVarchar(m.r.e164 ?? '');
      if (m.r.cc === null) a.appendNull();
      else a.appendVarchar(m.r.cc);
      if (m.r.type === null) a.appendNull();
      else a.appendVarchar(m.r.type);
      a.endRow();
    }
  } finally {
    a.closeSync();
  }
  await withRollupsAdjusted(conn, UPDATED_IDS, async () => {
    await conn.run(UPDATE);
  });
  await conn.run('DROP TABLE store_matches');
  return matches.length;
}
