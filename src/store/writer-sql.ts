/**
 * @module
 * The SQL text of the store writer (writer.ts): the staging tables, the
 * INSERT ... SELECT statements that move staged rows into `events` with
 * their enrichment joined in, and the statements that set aside ids
 * already stored. Text only: values travel as appended rows or bound
 * parameters, never in this SQL.
 */
import { FIELDS, FIELD_NAMES } from '../events/catalog.js';

/** Columns of `stage_events`: the event fields (ts as epoch milliseconds) and origin. */
export const STAGE_COLUMNS = FIELD_NAMES.map((name) => {
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
export const STAGE_DDL = {
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
export const LEGACY_TO_EVENTS_FRESH = legacyInsert('');
/** Legacy lines checked against the ids set aside by `STORED_IDS`. */
export const LEGACY_TO_EVENTS_KNOWN = legacyInsert(
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
export const STORED_IDS = `CREATE OR REPLACE TEMP TABLE stored_ids AS SELECT event_id FROM events
  WHERE sensor = $3 AND ts BETWEEN epoch_ms($1::BIGINT) AND epoch_ms($2::BIGINT)`;

/** A staged event field as the value of its `events` column. */
function stagedValue(c: (typeof STAGE_COLUMNS)[number]): string {
  if (c.kind === 'timestamp') return 'epoch_ms(CAST(s.ts_ms AS BIGINT))';
  if (c.kind !== 'int') return `s.${c.name}`;
  if (c.name === 'cseq' || c.name === 'period_ms') return `TRY_CAST(s.${c.name} AS BIGINT)`;
  return `TRY_CAST(s.${c.name} AS INTEGER)`;
}

/** The staged rows as rows of `events`: each column beside its value, enrichment joined in. */
const STAGED_ROWS: readonly Filled[] = [
  ...STAGE_COLUMNS.map((c): Filled => [c.name, stagedValue(c)]),
  ['origin', 's.origin'],
  ...ENRICHED,
];

/**
 * The batch as the rows it adds to `events` (stored ids already taken
 * out), enriched, in a temporary table made anew per batch: the insert
 * and every rollup read these few thousand rows, not `events` (finding a
 * batch's rows again in `events` six times was a fifth of the collector's
 * CPU, docs/benchmarks.md "Network").
 */
export const STAGE_TO_BATCH = `CREATE OR REPLACE TEMP TABLE batch_events AS
  SELECT ${STAGED_ROWS.map(([column, expression]) => `${expression} AS ${column}`).join(', ')}
  FROM stage_events s
  ${ENRICH_JOINS}`;

/** Moves the batch into events. */
export const BATCH_TO_EVENTS = `INSERT INTO events (${STAGED_ROWS.map(([c]) => c).join(', ')})
  SELECT ${STAGED_ROWS.map(([c]) => c).join(', ')} FROM batch_events`;

/**
 * Sets aside the staged ids already stored, looking only at stored events
 * in the staged time range ($1, $2 in epoch ms). Written as a semi-join of
 * `events` on the staged ids, so the hash table is built over the batch
 * (thousands of ids), not over the stored events of the range, and the
 * scan of `events` skips the row groups whose ids and times cannot match.
 * Measured against the anti-join it replaces: docs/benchmarks.md, "Network".
 */
export const STORED_STAGED = `CREATE OR REPLACE TEMP TABLE stored_ids AS
  SELECT DISTINCT e.event_id FROM events e
  WHERE e.ts BETWEEN epoch_ms($1::BIGINT) AND epoch_ms($2::BIGINT)
    AND e.event_id IN (SELECT event_id FROM stage_events)`;

/** Drops the staged rows whose id `STORED_STAGED` found stored. */
export const DROP_STORED_STAGED = `DELETE FROM stage_events
  WHERE event_id IN (SELECT event_id FROM stored_ids)`;

/** Removes all but one staged row of each event id (ids from files may repeat). */
export const DEDUPLICATE_STAGED = `DELETE FROM stage_events WHERE rowid IN (
  SELECT rowid FROM (SELECT rowid, row_number() OVER (PARTITION BY event_id ORDER BY rowid) AS k
    FROM stage_events) WHERE k > 1)`;
