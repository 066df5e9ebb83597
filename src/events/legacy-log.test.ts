import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { emptyEvent, type SnareEvent } from './catalog.js';
import { escapeLegacy, formatLegacyLine, LegacyLogSink, unescapeLegacy } from './legacy-log.js';

function invite(over: Partial<SnareEvent> = {}): SnareEvent {
  return {
    ...emptyEvent(),
    event: 'sip.request',
    event_id: 'x',
    ts: '2011-12-27T19:48:39.123Z',
    sensor: 's',
    transport: 'udp',
    src_ip: '41.1.2.19',
    method: 'INVITE',
    from_user: '100',
    to_user: '2015550274',
    response: 486,
    user_agent: 'X-Lite release 1006e stamp 34025',
    ...over,
  };
}

const LINE_RE =
  /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000: sipsnare\[\d+\]: IP: [^,]+, method: [^ ,]+, from: "((?:[^"\\]|\\.)*)", to: "((?:[^"\\]|\\.)*)", resp: (\d+|-), user-agent: "((?:[^"\\]|\\.)*)"\n$/;

describe('legacy log', () => {
  it("writes the article's Figure 1 line", () => {
    assert.equal(
      formatLegacyLine(invite(), 4429),
      '2011-12-27 19:48:39 +0000: sipsnare[4429]: IP: 41.1.2.19, method: INVITE, from: "100", to: "2015550274", resp: 486, user-agent: "X-Lite release 1006e stamp 34025"\n',
    );
  });

  it('names the program it is given (the simulator writes the article name)', () => {
    assert.match(
      formatLegacyLine(invite(), 4429, 'sip-honeyd.pl') ?? '',
      /^2011-12-27 19:48:39 \+0000: sip-honeyd\.pl\[4429\]: IP: /,
    );
  });

  it('leaves a method with a space or comma one token', () => {
    assert.match(formatLegacyLine(invite({ method: 'IN VITE,X' }), 1) ?? '', /method: IN_VITE_X, /);
  });

  it('writes an empty user-agent and resp - when absent or silent', () => {
    const line = formatLegacyLine(invite({ user_agent: null, response: null }), 1) ?? '';
    assert.match(line, /resp: -, user-agent: ""\n$/);
  });

  it('skips events that are not SIP requests', () => {
    assert.equal(formatLegacyLine(invite({ event: 'sip.malformed' }), 1), null);
  });

  it('cannot be forged into a second line by any attacker string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), (ua, from) => {
        const line = formatLegacyLine(invite({ user_agent: ua, from_user: from }), 7) ?? '';
        const m = LINE_RE.exec(line);
        assert.ok(m, JSON.stringify(line));
        assert.equal(line.indexOf('\n'), line.length - 1);
        assert.equal(unescapeLegacy(m[4] ?? ''), ua);
        assert.equal(unescapeLegacy(m[1] ?? ''), from);
      }),
    );
  });

  it('escapes quotes, backslashes, CR, LF and control bytes', () => {
    assert.equal(escapeLegacy('a"b\\c\r\nd\x00\x7f\u2028'), 'a\\"b\\\\c\\r\\nd\\x00\\x7f\\u2028');
  });

  it('appends lines to its file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snare-legacy-'));
    try {
      const sink = new LegacyLogSink({ path: join(dir, 'sub', 'honeyd.log'), pid: 99 });
      sink.write(invite());
      sink.write(invite({ method: 'REGISTER', to_user: '100', response: 401 }));
      await sink.close();
      const lines = readFileSync(join(dir, 'sub', 'honeyd.log'), 'utf8').split('\n');
      assert.equal(lines.length, 3);
      assert.match(lines[1] ?? '', /method: REGISTER, from: "100", to: "100", resp: 401/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
