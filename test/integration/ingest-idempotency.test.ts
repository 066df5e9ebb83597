import assert from 'node:assert/strict';
import { appendFileSync, closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { emptyEvent, type SnareEvent } from '../../src/events/catalog.js';
import { formatLegacyLine } from '../../src/events/legacy-log.js';
import type { Enricher } from '../../src/store/enricher.js';
import { scratch, type Scratch } from './ingest-helpers.js';

const HOSTILE = [
  `'); DROP TABLE events; --`,
  'quote " and backslash \\ and \\" mixed',
  'new\nline\r\nand\ttab',
  '", to: "forged", resp: 200, user-agent: "x',
  'nul\u0000 bell\u0007 del\u007f sep\u2028 é 漢字 🎉',
];

function request(i: number, over: Partial<SnareEvent> = {}): SnareEvent {
  return {
    ...emptyEvent(),
    event: 'sip.request',
    event_id: `0190d6e0-0000-7000-8000-${String(i).padStart(12, '0')}`,
    ts: new Date(Date.UTC(2011, 11, 27, 19, 0, i)).toISOString(),
    sensor: 'hp01',
    transport: 'udp',
    src_ip: `198.51.100.${i % 7}`,
    method: 'REGISTER',
    from_user: String(100 + i),
    to_user: String(100 + i),
    response: 401,
    user_agent: 'friendly-scanner',
    ...over,
  };
}

/**
 * Lines of the large file: about 100 MB, several of DuckDB's CSV read
 * buffers, so the fast reader reads it in parallel and must still number
 * each line by its place (the event id's tail), or a grown file would be
 * re-imported under other ids.
 */
const LARGE_LINES = 650_000;

/** Resolves every dialed string to one Israeli mobile number. */
const ISRAELI_MOBILE: Enricher = {
  dataDate: null,
  burst: (d) =>
    d.map(() => ({
      dialed_number: '+972598285108',
      dst_cc: 'IL',
      number_type: 'MOBILE',
      number_kind: 'external',
    })),
};

function legacy(ev: SnareEvent): string {
  const line = formatLegacyLine(ev, 4429);
  assert.ok(line !== null);
  return line;
}

describe('ingest: idempotency, growth, rejects, hostile strings', () => {
  let s: Scratch;
  before(async () => {
    s = await scratch();
  });
  after(() => {
    s.done();
  });

  it('imports a legacy log once, then only the lines a grown file added', async () => {
    const path = join(s.dir, 'hp07.log');
    writeFileSync(path, Array.from({ length: 50 }, (_, i) => legacy(request(i))).join(''));
    const a = await s.ingest([path]);
    assert.deepEqual(
      [a.files[0]?.format, a.files[0]?.sensor, a.events, a.rejected],
      ['legacy', 'hp07', 50, 0],
    );
    const b = await s.ingest([path]);
    assert.deepEqual([b.files[0]?.status, b.events, b.duplicates], ['unchanged', 0, 0]);
    appendFileSync(path, Array.from({ length: 5 }, (_, i) => legacy(request(50 + i))).join(''));
    const c = await s.ingest([path]);
    assert.deepEqual([c.files[0]?.lines, c.events, c.duplicates], [5, 5, 0]);
    const n = await s.rows(
      "SELECT count(*)::INTEGER AS n, count(DISTINCT event_id)::INTEGER AS d FROM events WHERE sensor = 'hp07'",
    );
    assert.deepEqual(n, [{ n: 55, d: 55 }]);
  });

  it('recognises a renamed copy of an imported file and adds nothing', async () => {
    const path = join(s.dir, 'hp08.log');
    writeFileSync(path, Array.from({ length: 20 }, (_, i) => legacy(request(i))).join(''));
    await s.ingest([path]);
    const copy = join(s.dir, 'renamed.log');
    writeFileSync(copy, Array.from({ length: 20 }, (_, i) => legacy(request(i))).join(''));
    const r = await s.ingest([copy], { sensorId: 'hp08' });
    assert.deepEqual([r.files[0]?.status, r.events], ['unchanged', 0]);
  });

  it('lists rejected lines with their numbers and imports the rest', async () => {
    const path = join(s.dir, 'hp09.log');
    const lines = Array.from({ length: 6 }, (_, i) => legacy(request(i)));
    lines[2] = 'garbage that is not a listener line at all, really\n';
    lines[4] =
      '2011-13-27 19:48:38 +0000: x[1]: IP: 1.2.3.4, method: REGISTER, from: "1", to: "1"\n';
    writeFileSync(path, lines.join(''));
    const r = await s.ingest([path]);
    assert.equal(r.events, 4);
    assert.equal(r.rejected, 2);
    assert.deepEqual(r.files[0]?.rejects, [
      { line: 3, reason: 'bad_time' },
      { line: 5, reason: 'bad_time' },
    ]);
  });

  it('stores hostile strings from legacy lines and JSON lines unchanged', async () => {
    const dir = join(s.dir, 'hostile');
    mkdirSync(dir);
    const evs = HOSTILE.map((h, i) =>
      request(1000 + i, {
        sensor: 'hostile',
        user_agent: h,
        from_user: h,
        to_user: h,
        method: 'INVITE',
        dialed: h,
      }),
    );
    writeFileSync(join(dir, 'hostile.log'), evs.map(legacy).join(''));
    writeFileSync(
      join(dir, 'events.jsonl'),
      evs.map((e) => JSON.stringify({ ...e, sensor: 'hostile-json' })).join('\n'),
    );
    const r = await s.ingest([dir]);
    assert.equal(r.rejected, 0);
    for (const sensor of ['hostile', 'hostile-json']) {
      const got = await s.rows(
        'SELECT user_agent, from_user, to_user, dialed FROM events WHERE sensor = $1 ORDER BY ts',
        [sensor],
      );
      assert.deepEqual(
        got,
        HOSTILE.map((h) => ({ user_agent: h, from_user: h, to_user: h, dialed: h })),
        sensor,
      );
    }
  });

  it('validates JSON lines, rejects bad ones by line, and dedupes on event_id across files', async () => {
    const path = join(s.dir, 'a.jsonl');
    writeFileSync(
      path,
      [
        JSON.stringify(request(1, { sensor: 'js' })),
        '{"event":"sip.request"',
        JSON.stringify({ ...request(2, { sensor: 'js' }), extra: 1 }),
        '',
        JSON.stringify(request(3, { sensor: 'js', src_port: 5060 })),
      ].join('\n') + '\n',
    );
    const r = await s.ingest([path]);
    assert.equal(r.events, 2);
    assert.deepEqual(
      r.files[0]?.rejects.map((x) => x.line),
      [2, 3],
    );
    const gz = join(s.dir, 'b.jsonl.gz');
    writeFileSync(
      gz,
      gzipSync(
        JSON.stringify(request(1, { sensor: 'js' })) +
          '\n' +
          JSON.stringify(request(4, { sensor: 'js' })) +
          '\n',
      ),
    );
    const g = await s.ingest([gz]);
    assert.deepEqual([g.files[0]?.format, g.events, g.duplicates], ['jsonl', 1, 1]);
    const rows = await s.rows('SELECT src_port, origin FROM events WHERE event_id = $1', [
      request(3).event_id,
    ]);
    assert.deepEqual(rows, [{ src_port: 5060, origin: 'jsonl' }]);
  });

  it('reports a missing path as an error and imports the other paths', async () => {
    const path = join(s.dir, 'present.log');
    writeFileSync(path, legacy(request(50, { sensor: 'present' })));
    const r = await s.ingest([join(s.dir, 'no-such-file.log'), path]);
    assert.deepEqual(
      r.files.map((f) => [f.status, f.events]),
      [
        ['error', 0],
        ['imported', 1],
      ],
    );
    assert.match(r.files[0]?.error ?? '', /ENOENT/);
  });

  it('stores an INVITE repeated within one file once, with its number', async () => {
    const invite = request(40, {
      sensor: 'rep',
      method: 'INVITE',
      ruri_user: '00972598285108',
      dialed: '00972598285108',
      response: 401,
    });
    const path = join(s.dir, 'repeated.jsonl');
    writeFileSync(
      path,
      [invite, request(41, { sensor: 'rep' }), invite].map((e) => JSON.stringify(e)).join('\n') +
        '\n',
    );
    const r = await s.ingest([path], { enricher: ISRAELI_MOBILE });
    assert.deepEqual([r.events, r.duplicates], [2, 1]);
    const rows = await s.rows(
      "SELECT method, dialed_number, dst_cc FROM events WHERE sensor = 'rep' ORDER BY method",
    );
    assert.deepEqual(rows, [
      { method: 'INVITE', dialed_number: '+972598285108', dst_cc: 'IL' },
      { method: 'REGISTER', dialed_number: null, dst_cc: null },
    ]);
  });

  it('honours timezone offsets and unifies INVITE bursts from legacy lines into calls', async () => {
    const path = join(s.dir, 'tz.log');
    const line = (t: string, to: string): string =>
      `${t}: sip-honeyd.pl[1]: IP: 203.0.113.9, method: INVITE, from: "100", to: "${to}", resp: 486, user-agent: ""\n`;
    writeFileSync(
      path,
      line('2011-12-27 16:00:00 -0300', '00972598285108') +
        line('2011-12-27 19:30:00 +0000', '900972598285108'),
    );
    await s.ingest([path], { enricher: ISRAELI_MOBILE });
    const ev = await s.rows(
      "SELECT ts, dialed, ruri_user, user_agent, ua_label FROM events WHERE sensor = 'tz' ORDER BY ts",
    );
    assert.deepEqual(ev, [
      {
        ts: new Date('2011-12-27T19:00:00Z'),
        dialed: '00972598285108',
        ruri_user: '00972598285108',
        user_agent: null,
        ua_label: 'undefined',
      },
      {
        ts: new Date('2011-12-27T19:30:00Z'),
        dialed: '900972598285108',
        ruri_user: '900972598285108',
        user_agent: null,
        ua_label: 'undefined',
      },
    ]);
    const calls = await s.rows(
      "SELECT invites, dialed_number FROM calls WHERE src_ip = '203.0.113.9'",
    );
    assert.deepEqual(calls, [{ invites: 2, dialed_number: '+972598285108' }]);
  });

  it('numbers every line of a large legacy file read in parallel by its place in the file', async () => {
    const path = join(s.dir, 'big.log');
    const fd = openSync(path, 'w');
    const chunk: string[] = [];
    for (let i = 1; i <= LARGE_LINES; i++) {
      const sec = String(i % 60).padStart(2, '0');
      const min = String(Math.floor(i / 60) % 60).padStart(2, '0');
      chunk.push(
        `2011-12-27 19:${min}:${sec} +0000: sip-honeyd.pl[4429]: IP: 198.51.100.${i % 250}, method: REGISTER, ` +
          `from: "${i}", to: "100", resp: 401, user-agent: "friendly-scanner padding padding padding"\n`,
      );
      if (chunk.length === 10_000) writeSync(fd, chunk.splice(0).join(''));
    }
    writeSync(fd, chunk.join(''));
    closeSync(fd);
    const r = await s.ingest([path]);
    assert.deepEqual([r.events, r.rejected], [LARGE_LINES, 0]);
    // The line number is the event id's tail; each line carries its own number in `from`.
    const bad = await s.rows(
      `SELECT count(*)::INTEGER AS n FROM events
       WHERE sensor = 'big' AND split_part(event_id, '-', 2) <> from_user`,
    );
    assert.deepEqual(bad, [{ n: 0 }]);
  });
});
