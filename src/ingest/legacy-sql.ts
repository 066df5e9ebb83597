/**
 * @module
 * The fast path of a legacy-log import: DuckDB reads the whole file itself
 * (`read_csv` of one VARCHAR column, no quoting, a delimiter our sensor
 * never writes) in parallel C++, numbers the lines by row id, and
 * cuts the fields of every line that has the plain sensor shape with one
 * regular expression straight into the legacy staging table. Only lines
 * that do not have that shape (escapes, missing fields, odd times, long
 * values, garbage) come back to JavaScript and go through
 * `parseLegacyLine`, with their line numbers, so values, rejects and
 * reasons are exactly those of the line-by-line reader.
 *
 * The plain shape is a strict subset of what `parseLegacyLine` accepts, and
 * for it both give the same values: no backslash (nothing to unescape), no
 * quote inside a value, digits where numbers are, a line of at most
 * MAX_PLAIN_BYTES (so no value reaches the cut at MAX_VALUE_CHARS), a
 * valid calendar date (times that JavaScript would roll over, like second
 * 60 or 31 February, go to JavaScript).
 *
 * The reader is used only when it can be checked: the file must be a
 * plain (not gzip) file read from its start, DuckDB must read it without
 * error (invalid UTF-8, a stray delimiter, a carriage return, an over-long
 * line all raise), and the line lengths plus one line end each must add up
 * to the file size, so no line was dropped, split or merged. Otherwise the
 * caller falls back to the line reader. The file is read in one go, then
 * staged and flushed in batches of lines.
 *
 * Must never put the path or a value into SQL text: the path is a bound
 * parameter, values stay inside DuckDB.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { MAX_VALUE_CHARS } from './legacy.js';
import {
  MAX_LINE_BYTES,
  MAX_LISTED_REJECTS,
  type LineHandler,
  type LineRun,
  type Reject,
} from './lines.js';
import type { FileInfo } from './source.js';

/** Longest line (bytes) cut in SQL; longer ones go to JavaScript (values could need the cut). */
export const MAX_PLAIN_BYTES = MAX_VALUE_CHARS;

/**
 * One line of the sensor's plain shape. Capture groups: year, month, day,
 * hour, minute, second, offset sign, offset hours, offset minutes, address,
 * method, from, to, resp, user-agent.
 */
export const PLAIN_LINE_RE =
  '^((?:19[7-9]|[2-9][0-9])[0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]) ' +
  '([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]) ([+-])([01][0-9]|2[0-3])([0-5][0-9]): ' +
  '[A-Za-z0-9_.-]+\\[[0-9]+\\]: IP: ([0-9A-Fa-f.:]{1,64}), ' +
  "method: ([A-Za-z0-9_.!%*+`'~-]{1,64}), " +
  'from: "([^"\\\\]*)", to: "([^"\\\\]*)", resp: ([1-6][0-9][0-9]|-), ' +
  'user-agent: "([^"\\\\]*)"$';

/**
 * Reads the file into the temporary table legacy_lines (path = $1), in
 * parallel. DuckDB keeps the file's order when it fills a table (insertion
 * order is preserved by default), so a row's id is its line number minus
 * one: the view legacy_raw gives line number `n` and text. (Numbering in
 * the read itself, `WITH ORDINALITY`, kept it on one thread: 1.8-2.6 s
 * against 1.0-1.2 s for 2 M lines.)
 */
const READ_SQL = `CREATE OR REPLACE TEMP TABLE legacy_lines AS
  SELECT line
  FROM read_csv($1, columns = {'line': 'VARCHAR'}, delim = chr(1), quote = '', escape = '',
    header = false, auto_detect = false, new_line = '\\n', strict_mode = true,
    compression = 'none', max_line_size = ${MAX_LINE_BYTES})`;
const RAW_VIEW_SQL = `CREATE OR REPLACE TEMP VIEW legacy_raw AS SELECT rowid + 1 AS n, line FROM legacy_lines`;
const DROP_RAW = ['DROP VIEW IF EXISTS legacy_raw', 'DROP TABLE IF EXISTS legacy_lines'];

/**
 * True for a line of the plain shape with a valid calendar time. The
 * shape is checked with one full match (submatch extraction in RE2 is
 * several times slower). Once the pattern holds, the time is
 * `YYYY-MM-DD HH:MM:SS` with every field in range, and a cast to
 * TIMESTAMP fails exactly for the dates that are not on the calendar (31
 * April, 29 February of a common year), as strptime does, in less time.
 */
const PLAIN = `coalesce(strlen(line) <= ${MAX_PLAIN_BYTES} AND strpos(line, '\\') = 0
    AND regexp_full_match(line, '${PLAIN_LINE_RE.replace(/'/g, "''")}')
    AND TRY_CAST(substr(line, 1, 19) AS TIMESTAMP) IS NOT NULL, false)`;

/**
 * Plain lines of the batch ($1, $2) cut into `stage_legacy`. ODD_FILTER
 * keeps the plain lines when the batch has odd ones; when it has none
 * (usual), every line is cut without testing the shape again, which
 * halves the cost of this step. The fields are cut at the quotes (one
 * split per line, a third faster than a split per field), since no part
 * before a value and no value of a plain line holds one: parts 2, 4 and 6
 * are from, to and user-agent, part 5 is `, resp: R, user-agent: `. The
 * address and the method are taken by position, between the first
 * `: IP: `, `, method: ` and `, from: "` of the line: in a plain line each
 * occurs once before the first quote (the host, address and method hold
 * no space), so a value holding one comes after it. (Two splits of part 1
 * per field cost 0.17 s more per 2 M lines.) The
 * time of a plain line is a valid `YYYY-MM-DD HH:MM:SS`, which a cast
 * reads as strptime would, in half the time; the offset the sensor writes,
 * `+0000`, is recognised whole (reading hours and minutes of every line's
 * offset cost more than the cast: 0.23 s against 0.09 s per 2 M lines).
 */
const CUT_SQL = `INSERT INTO stage_legacy
  SELECT n,
    CAST(epoch_ms(CAST(substr(line, 1, 19) AS TIMESTAMP))
      - CASE WHEN substr(line, 21, 5) = '+0000' THEN 0
        ELSE (CASE WHEN substr(line, 21, 1) = '+' THEN 1 ELSE -1 END)
          * (CAST(substr(line, 22, 2) AS BIGINT) * 60 + CAST(substr(line, 24, 2) AS BIGINT))
          * 60000 END AS DOUBLE) AS ts_ms,
    substr(line, ip_at + 6, method_at - ip_at - 6) AS src_ip,
    substr(line, method_at + 10, strpos(line, ', from: "') - method_at - 10) AS method,
    nullif(p[2], '') AS from_user,
    nullif(p[4], '') AS to_user,
    TRY_CAST(substr(p[5], 9, strlen(p[5]) - 22) AS DOUBLE) AS response,
    nullif(p[6], '') AS user_agent
  FROM (SELECT n, string_split(line, '"') AS p, line,
      strpos(line, ': IP: ') AS ip_at, strpos(line, ', method: ') AS method_at
    FROM legacy_raw WHERE n BETWEEN $1 AND $2 ODD_FILTER)`;

/**
 * The cut when the batch has odd lines: only plain ones are cut. (A
 * function as replacement: the pattern holds `$'`, which a replacement
 * string would expand.)
 */
const CUT_PLAIN_SQL = CUT_SQL.replace('ODD_FILTER', () => `AND ${PLAIN}`);
/** The cut when every line of the batch is plain (the usual case): no second regular expression. */
const CUT_ALL_SQL = CUT_SQL.replace('ODD_FILTER', '');

/** Results of the SQL reader: the same figures the line reader gives. */
export type SqlLineRun = LineRun;

function lastByteIsNewline(path: string, size: number): boolean {
  if (size === 0) return true;
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, size - 1);
    return b[0] === 10;
  } finally {
    closeSync(fd);
  }
}

function num(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : 0;
}

/** True when this file can take the SQL reader at all. */
export function sqlReadable(info: FileInfo, offset: number): boolean {
  // Absolute, so DuckDB never reads a scheme (s3:, http:) into it; a glob
  // character would make DuckDB expand the path into other files.
  return !info.gzip && offset === 0 && !/[*?[\]{}]/.test(resolve(info.path));
}

/** Odd lines handed to JavaScript per query (they may be up to MAX_LINE_BYTES long). */
const ODD_PAGE = 1000;

/** Reads the file into `legacy_raw`; false (nothing left behind) when DuckDB cannot. */
async function loadRaw(conn: DuckDBConnection, info: FileInfo): Promise<boolean> {
  try {
    // The line numbers depend on it (the default; stated so nothing turns it off).
    await conn.run('SET preserve_insertion_order = true');
    await conn.run(READ_SQL, [resolve(info.path)]);
    await conn.run(RAW_VIEW_SQL);
    return true;
  } catch {
    for (const sql of DROP_RAW) await conn.run(sql);
    return false;
  }
}

/**
 * Lines of `legacy_raw`, or null when they do not add up to the file's size
 * (a line end DuckDB read differently): the SQL reader then cannot vouch for it.
 */
async function rawLines(conn: DuckDBConnection, info: FileInfo): Promise<number | null> {
  const sums = await conn.runAndReadAll(
    `SELECT count(*) AS c, coalesce(sum(strlen(line)), 0) AS s FROM legacy_raw`,
  );
  const row = sums.getRowObjectsJS()[0] ?? {};
  const lines = num(row['c']);
  const bytes = num(row['s']);
  const ends = lastByteIsNewline(info.path, info.size);
  const expected = lines === 0 ? 0 : bytes + lines - (ends ? 0 : 1);
  return expected === info.size ? lines : null;
}

/** Counts of the lines a handler took, skipped and rejected. */
interface Outcomes {
  records: number;
  skipped: number;
  rejected: number;
  readonly rejects: Reject[];
}

/**
 * The odd lines of batch `lo..hi` (not of the plain shape) through the
 * handler: set aside once, then read back in pages. Returns how many.
 */
async function handOddLines(
  conn: DuckDBConnection,
  [lo, hi]: readonly [number, number],
  handler: LineHandler,
  counts: Outcomes,
): Promise<number> {
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE legacy_odd AS
     SELECT n, coalesce(line, '') AS raw FROM legacy_raw
     WHERE n BETWEEN $1 AND $2 AND NOT ${PLAIN}`,
    [lo, hi],
  );
  let after = lo - 1;
  let odd = 0;
  for (;;) {
    const page = await conn.runAndReadAll(
      `SELECT n, raw FROM legacy_odd WHERE n > $1 ORDER BY n LIMIT ${ODD_PAGE}`,
      [after],
    );
    const rows = page.getRowObjectsJS();
    for (const r of rows) {
      const n = num(r['n']);
      const out = handler.line(typeof r['raw'] === 'string' ? r['raw'] : '', n);
      if (out === null) counts.records++;
      else if (out === 'skip') counts.skipped++;
      else {
        counts.rejected++;
        if (counts.rejects.length < MAX_LISTED_REJECTS)
          counts.rejects.push({ line: n, reason: out });
      }
      after = n;
      odd++;
    }
    if (rows.length < ODD_PAGE) return odd;
  }
}

/**
 * Stages the lines of a legacy file into `stage_legacy` batch by batch
 * (`batchLines` lines each: plain lines in SQL, the others through
 * `handler`, which must be the legacy handler), calling `afterBatch` with
 * the rows SQL staged, the lines read and the file's lines, so the caller
 * flushes them and shows progress. Returns the run, or null
 * when the SQL reader cannot vouch for the file (nothing staged then; use
 * the line reader).
 */
export async function stageLegacyFileSql(
  conn: DuckDBConnection,
  info: FileInfo,
  handler: LineHandler,
  batchLines: number,
  afterBatch: (sqlRows: number, linesRead: number, lines: number) => Promise<void>,
): Promise<SqlLineRun | null> {
  if (!sqlReadable(info, 0)) return null;
  if (!(await loadRaw(conn, info))) return null;
  try {
    const lines = await rawLines(conn, info);
    if (lines === null) return null;
    const counts: Outcomes = { records: 0, skipped: 0, rejected: 0, rejects: [] };
    const step = Math.max(1, Math.floor(batchLines));
    for (let lo = 1; lo <= lines; lo += step) {
      const hi = Math.min(lines, lo + step - 1);
      const odd = await handOddLines(conn, [lo, hi], handler, counts);
      const sqlRows = (await conn.run(odd === 0 ? CUT_ALL_SQL : CUT_PLAIN_SQL, [lo, hi]))
        .rowsChanged;
      counts.records += sqlRows;
      await afterBatch(sqlRows, hi, lines);
    }
    return { bytesDone: info.size, linesDone: lines, lines, ...counts };
  } finally {
    await conn.run('DROP TABLE IF EXISTS legacy_odd');
    for (const sql of DROP_RAW) await conn.run(sql);
  }
}
