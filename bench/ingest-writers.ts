/**
 * @module
 * Compares ways of writing rows into DuckDB from Node (Appender per value,
 * DataChunk appends, CSV temp file read by DuckDB, batched prepared INSERTs)
 * on a staging table shaped like an imported legacy log line. Informs the
 * importer's design; run: node --import tsx bench/ingest-writers.ts [ROWS].
 * Never touches a real store: everything lives in a temp dir.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, DuckDBDataChunk, VARCHAR, INTEGER, BIGINT } from '@duckdb/node-api';

const N = Number(process.argv[2] ?? 300_000);
const DDL = `CREATE TABLE s (line BIGINT, ts VARCHAR, src_ip VARCHAR, method VARCHAR, from_user VARCHAR, to_user VARCHAR, resp INTEGER, ua VARCHAR)`;
interface R {
  line: number;
  ts: string;
  ip: string;
  m: string;
  f: string;
  t: string;
  r: number | null;
  ua: string | null;
}
const rows: R[] = [];
for (let i = 0; i < N; i++) {
  rows.push({
    line: i + 1,
    ts: '2011-12-27 19:48:38',
    ip: `41.1.${i % 250}.${i % 200}`,
    m: i % 60 === 0 ? 'INVITE' : 'REGISTER',
    f: String(100 + (i % 900)),
    t: String(100 + (i % 900)),
    r: i % 7 === 0 ? null : 401,
    ua: i % 5 === 0 ? null : 'friendly-scanner',
  });
}
const dir = mkdtempSync(join(tmpdir(), 'snare-wb-'));
const inst = await DuckDBInstance.create(join(dir, 'x.duckdb'));
const conn = await inst.connect();
async function time(name: string, fn: () => Promise<void>): Promise<void> {
  await conn.run('DROP TABLE IF EXISTS s');
  await conn.run(DDL);
  const t0 = performance.now();
  await fn();
  const ms = performance.now() - t0;
  const n = (
    await conn.runAndReadAll('SELECT count(*)::INTEGER AS n FROM s')
  ).getRowObjectsJS()[0]?.['n'];
  console.log(
    `${name.padEnd(22)} ${(N / (ms / 1000)).toFixed(0).padStart(10)} rows/s  (${Number(n)} rows, ${ms.toFixed(0)} ms)`,
  );
}
await time('appender/value', async () => {
  const a = await conn.createAppender('s');
  for (const r of rows) {
    a.appendBigInt(BigInt(r.line));
    a.appendVarchar(r.ts);
    a.appendVarchar(r.ip);
    a.appendVarchar(r.m);
    a.appendVarchar(r.f);
    a.appendVarchar(r.t);
    if (r.r === null) a.appendNull();
    else a.appendInteger(r.r);
    if (r.ua === null) a.appendNull();
    else a.appendVarchar(r.ua);
    a.endRow();
  }
  a.flushSync();
  a.closeSync();
});
await time('appender/datachunk', async () => {
  const a = await conn.createAppender('s');
  const types = [BIGINT, VARCHAR, VARCHAR, VARCHAR, VARCHAR, VARCHAR, INTEGER, VARCHAR];
  for (let i = 0; i < N; i += 2048) {
    const part = rows.slice(i, i + 2048);
    const c = DuckDBDataChunk.create(types, part.length);
    c.setColumnValues(
      0,
      part.map((r) => BigInt(r.line)),
    );
    c.setColumnValues(
      1,
      part.map((r) => r.ts),
    );
    c.setColumnValues(
      2,
      part.map((r) => r.ip),
    );
    c.setColumnValues(
      3,
      part.map((r) => r.m),
    );
    c.setColumnValues(
      4,
      part.map((r) => r.f),
    );
    c.setColumnValues(
      5,
      part.map((r) => r.t),
    );
    c.setColumnValues(
      6,
      part.map((r) => r.r),
    );
    c.setColumnValues(
      7,
      part.map((r) => r.ua),
    );
    a.appendDataChunk(c);
  }
  a.flushSync();
  a.closeSync();
});
const q = (s: string | null): string => (s === null ? '\\N' : '"' + s.replaceAll('"', '""') + '"');
await time('csv temp + read_csv', async () => {
  const parts: string[] = [];
  for (const r of rows)
    parts.push(
      `${r.line},${q(r.ts)},${q(r.ip)},${q(r.m)},${q(r.f)},${q(r.t)},${r.r ?? '\\N'},${q(r.ua)}\n`,
    );
  const f = join(dir, 't.csv');
  writeFileSync(f, parts.join(''));
  await conn.run(
    `INSERT INTO s SELECT * FROM read_csv('${f}', header=false, quote='"', escape='"', nullstr='\\N', allow_quoted_nulls=false, columns={'line':'BIGINT','ts':'VARCHAR','src_ip':'VARCHAR','method':'VARCHAR','from_user':'VARCHAR','to_user':'VARCHAR','resp':'INTEGER','ua':'VARCHAR'})`,
  );
});
await time('json temp + read_json', async () => {
  const parts: string[] = [];
  for (const r of rows) parts.push(JSON.stringify(r) + '\n');
  const f = join(dir, 't.json');
  writeFileSync(f, parts.join(''));
  await conn.run(
    `INSERT INTO s SELECT line, ts, ip, m, f, t, r, ua FROM read_json('${f}', format='newline_delimited', columns={'line':'BIGINT','ts':'VARCHAR','ip':'VARCHAR','m':'VARCHAR','f':'VARCHAR','t':'VARCHAR','r':'INTEGER','ua':'VARCHAR'})`,
  );
});
await time('prepared insert x500', async () => {
  const B = 500;
  const ph = Array.from(
    { length: B },
    (_, k) => `(${Array.from({ length: 8 }, (_, j) => `$${k * 8 + j + 1}`).join(',')})`,
  ).join(',');
  const st = await conn.prepare(`INSERT INTO s VALUES ${ph}`);
  const lim = Math.min(N, 100_000);
  for (let i = 0; i + B <= lim; i += B) {
    const v: (string | number | null)[] = [];
    for (const r of rows.slice(i, i + B)) v.push(r.line, r.ts, r.ip, r.m, r.f, r.t, r.r, r.ua);
    st.bind(v);
    await st.run();
  }
});
conn.closeSync();
inst.closeSync();
rmSync(dir, { recursive: true, force: true });
