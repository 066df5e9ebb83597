import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { emptyEvent } from '../events/catalog.js';
import { formatLegacyLine } from '../events/legacy-log.js';
import { openStore } from '../store/store.js';
import { NO_ENRICHMENT } from '../store/enricher.js';
import { StoreWriter } from '../store/writer.js';
import { parseLegacyLine } from './legacy.js';
import { sqlReadable, stageLegacyFileSql } from './legacy-sql.js';
import { fileInfo } from './source.js';

interface Staged {
  line: number;
  tsMs: number;
  ip: string;
  method: string;
  from: string | null;
  to: string | null;
  resp: number | null;
  ua: string | null;
}

/** Runs the SQL reader over `content`; returns SQL-cut rows and the lines handed to JavaScript. */
async function viaSql(
  content: string | Buffer,
): Promise<{ sql: Staged[]; odd: Map<number, string>; lines: number } | null> {
  const dir = mkdtempSync(join(tmpdir(), 'snare-legacy-sql-'));
  const file = join(dir, 'sensor.log');
  writeFileSync(file, content);
  const store = await openStore(':memory:');
  try {
    const writer = await StoreWriter.create(store, {
      enricher: NO_ENRICHMENT,
      gapMinutes: 60,
    });
    const odd = new Map<number, string>();
    let sqlRows = 0;
    const r = await stageLegacyFileSql(
      store.conn,
      fileInfo(file),
      {
        line(text, n) {
          odd.set(n, text);
          return 'skip';
        },
      },
      7,
      (rows) => {
        sqlRows += rows;
        return Promise.resolve();
      },
    );
    if (r === null) return null;
    const rows = await store.conn.runAndReadAll('SELECT * FROM stage_legacy ORDER BY line');
    const sql = rows.getRowObjectsJS().map((o) => ({
      line: Number(o['line']),
      tsMs: Number(o['ts_ms']),
      ip: o['src_ip'] as string,
      method: o['method'] as string,
      from: (o['from_user'] ?? null) as string | null,
      to: (o['to_user'] ?? null) as string | null,
      resp: o['response'] === null ? null : Number(o['response']),
      ua: (o['user_agent'] ?? null) as string | null,
    }));
    assert.equal(sql.length, sqlRows);
    await writer.close();
    return { sql, odd, lines: r.lines };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Every line is either cut in SQL exactly as parseLegacyLine reads it, or handed over unchanged. */
async function assertSameAsJs(lines: readonly string[], trailingNewline = true): Promise<void> {
  const r = await viaSql(lines.join('\n') + (trailingNewline ? '\n' : ''));
  assert.ok(r, 'SQL reader declined the file');
  assert.equal(r.lines, lines.length);
  assert.equal(r.sql.length + r.odd.size, lines.length);
  for (const s of r.sql) {
    const text = lines[s.line - 1] ?? '';
    const js = parseLegacyLine(text);
    assert.notEqual(typeof js, 'string', `SQL took a line JS rejects: ${text}`);
    assert.deepEqual(
      { ...s, line: undefined },
      { ...(js as object), line: undefined },
      `line ${s.line}: ${text}`,
    );
  }
  for (const [n, text] of r.odd) assert.equal(text, lines[n - 1]);
}

const FIG1 =
  '2011-12-27 19:48:38 +0000: sip-honeyd.pl[4429]: IP: 41.1.2.19, method: REGISTER, from: "100", to: "100", resp: 200, user-agent: "X-Lite release 1006e stamp 34025"';

describe('stageLegacyFileSql', () => {
  it('cuts plain lines exactly as the line parser does and hands the rest over with their numbers', async () => {
    const lines = [
      FIG1,
      '',
      FIG1.replace('+0000', '-0330'),
      FIG1.replace('+0000', '-0000'),
      FIG1.replace('+0000', '+0001'),
      FIG1.replace('+0000', '+2359'),
      FIG1.replace('+0000', '+1400'), // offset hour out of range: JavaScript
      FIG1.replace('2011-12-27', '2011-02-31'), // rolls over in Date.UTC: JavaScript
      FIG1.replace('2011-12-27', '2011-02-29'), // not on the calendar: JavaScript
      FIG1.replace('2011-12-27', '2011-04-31'),
      FIG1.replace('2011-12-27', '2100-02-29'), // a century, not a leap year
      FIG1.replace('2011-12-27', '2000-02-29'), // leap years: plain
      FIG1.replace('2011-12-27', '2012-02-29'),
      FIG1.replace('19:48:38', '19:48:60'),
      FIG1.replace('resp: 200', 'resp: -'),
      FIG1.replace('resp: 200', 'resp: 999'),
      FIG1.replace(', resp: 200', ''),
      FIG1.replace('"100", to', '"a\\"b", to'),
      FIG1.replace('"X-Lite release 1006e stamp 34025"', '""'),
      FIG1.replace('from: "100"', 'from: ""'),
      FIG1.replace('from: "100"', 'from: "x, resp: 200, user-agent: y"'),
      FIG1.replace('X-Lite', 'X", to: "Lite'),
      // values holding the markers the address and method are cut at
      FIG1.replace('"100", to', '": IP: 9.9.9.9, method: BYE, from: ", to'),
      FIG1.replace('"100", resp', '", method: BYE, from: ", resp'),
      FIG1.replace('X-Lite', ': IP: , method: , from: '),
      FIG1.replace('sip-honeyd.pl[4429]', 'IP[1]'),
      FIG1.replace('REGISTER', 'IP'),
      FIG1.replace('X-Lite', 'é 日本 🎉'),
      FIG1.replace('X-Lite', 'x'.repeat(2000)),
      FIG1.replace('41.1.2.19', '2001:db8::1'),
      FIG1.replace('41.1.2.19', ''),
      FIG1.replace('REGISTER', 'IN VITE'),
      FIG1.replace('sip-honeyd.pl[4429]', 'p'),
      FIG1 + ' ',
      'garbage',
      "it's ; not , a \"line' at all",
      '1970-01-01 00:00:00 +0000: p[1]: IP: 1.2.3.4, method: A, from: "", to: "", resp: 100, user-agent: ""',
      '1969-12-31 23:59:59 +0000: p[1]: IP: 1.2.3.4, method: A, from: "", to: "", resp: 100, user-agent: ""',
      FIG1,
    ];
    await assertSameAsJs(lines);
    await assertSameAsJs(lines, false);
  });

  it('agrees with the line parser on lines the sensor writes for hostile values', async () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ from: text, to: text, ua: text, method: text, resp: fc.nat(700) }), {
          minLength: 1,
          maxLength: 30,
        }),
        async (recs) => {
          const lines = recs.map((r, i) => {
            const line = formatLegacyLine(
              {
                ...emptyEvent(),
                event: 'sip.request',
                ts: new Date(Date.UTC(2011, 11, 27, 19, 48, i)).toISOString(),
                src_ip: '41.1.2.19',
                method: r.method === '' ? 'INVITE' : r.method,
                from_user: r.from,
                to_user: r.to,
                user_agent: r.ua,
                response: r.resp < 100 ? null : r.resp,
              },
              4429,
            );
            return (line ?? '').replace(/\n$/, '');
          });
          // A value with a raw line break cannot be in the file; the sensor escapes them all.
          await assertSameAsJs(lines);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('declines files it cannot vouch for: carriage returns, invalid UTF-8, the delimiter', async () => {
    assert.equal(await viaSql(`${FIG1}\r\n${FIG1}\r\n`), null);
    assert.equal(await viaSql(`${FIG1}\n${FIG1.replace('100', 'a\rb')}\n`), null);
    assert.equal(
      await viaSql(Buffer.concat([Buffer.from(FIG1 + '\n'), Buffer.from([0xff, 0x0a])])),
      null,
    );
    assert.equal(await viaSql(`${FIG1}\n${FIG1.replace('100', 'a\x01b')}\n`), null);
  });

  it('takes relative paths (resolved), but not gzip files, offsets or glob characters', () => {
    const dir = mkdtempSync(join(tmpdir(), 'snare-sqlpath-'));
    try {
      const path = join(dir, 'hp01.log');
      writeFileSync(path, `${FIG1}\n`);
      const info = fileInfo(relative(process.cwd(), path));
      assert.equal(sqlReadable(info, 0), true);
      assert.equal(sqlReadable(info, 10), false);
      assert.equal(sqlReadable({ ...info, gzip: true }, 0), false);
      const glob = join(dir, 'hp[1].log');
      writeFileSync(glob, `${FIG1}\n`);
      assert.equal(sqlReadable(fileInfo(glob), 0), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
