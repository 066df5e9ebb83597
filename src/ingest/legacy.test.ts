import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { emptyEvent, type SnareEvent } from '../events/catalog.js';
import { formatLegacyLine } from '../events/legacy-log.js';
import { parseLegacyLine, type LegacyRecord } from './legacy.js';

function ok(line: string): LegacyRecord {
  const r = parseLegacyLine(line);
  if (typeof r === 'string') assert.fail(`rejected (${r}): ${line}`);
  return r;
}

describe('parseLegacyLine', () => {
  it('reads the article Figure 1 line', () => {
    const r = ok(
      '2011-12-27 19:48:38 +0000: sip-honeyd.pl[4429]: IP: 41.1.2.19, method: REGISTER, from: "100", to: "100", resp: 200, user-agent: "X-Lite release 1006e stamp 34025"',
    );
    assert.deepEqual(r, {
      tsMs: Date.parse('2011-12-27T19:48:38Z'),
      ip: '41.1.2.19',
      method: 'REGISTER',
      from: '100',
      to: '100',
      resp: 200,
      ua: 'X-Lite release 1006e stamp 34025',
    });
  });

  it('takes the program name with or without [pid]', () => {
    const line = (program: string): string =>
      `2011-12-27 19:48:38 +0000: ${program}: IP: 1.2.3.4, method: REGISTER, from: "a", to: "b", resp: 401`;
    for (const p of ['sip-honeyd.pl[4429]', 'sip-honeyd.pl', 'x[1]', 'host listener[7]'])
      assert.equal(ok(line(p)).ip, '1.2.3.4', p);
    for (const p of ['', 'x'.repeat(129), 'tab\there'])
      assert.equal(parseLegacyLine(line(p)), 'not_legacy_line', JSON.stringify(p));
  });

  it('honours timezone offsets', () => {
    const line = (tz: string): string =>
      `2011-12-27 19:48:38 ${tz}: x[1]: IP: 1.2.3.4, method: INVITE, from: "a", to: "b", resp: 486, user-agent: ""`;
    assert.equal(ok(line('-0300')).tsMs, Date.parse('2011-12-27T22:48:38Z'));
    assert.equal(ok(line('+0530')).tsMs, Date.parse('2011-12-27T14:18:38Z'));
  });

  it('reads times without an offset as UTC, and ISO 8601 variants', () => {
    const rest = ': x[1]: IP: 1.2.3.4, method: INVITE, from: "a", to: "b", resp: 486';
    const at = (time: string) => ok(time + rest).tsMs;
    const utc = Date.parse('2011-12-27T19:48:38Z');
    assert.equal(at('2011-12-27 19:48:38'), utc);
    assert.equal(at('2011-12-27T19:48:38Z'), utc);
    assert.equal(at('2011-12-27T19:48:38.123Z'), utc);
    assert.equal(at('2011-12-27 19:48:38.5'), utc);
    assert.equal(at('2011-12-27T16:48:38-03:00'), utc);
    assert.equal(at('2011-12-27 22:18:38+02:30'), utc);
    assert.equal(at('2011-12-27 16:48:38 -03:00'), utc);
    // One line after another: the cached time of a line never leaks into the next.
    assert.equal(at('2011-12-27 19:48:38 +0100'), utc - 3_600_000);
    assert.equal(at('2011-12-27 19:48:38'), utc);
    for (const bad of [
      '2011-12-27 19:48:38 ',
      '2011-12-27 19:48:38 Z',
      '2011-12-27 19:48:38.',
      '2011-12-27 19:48:38+2',
    ])
      assert.equal(typeof parseLegacyLine(bad + rest), 'string', bad);
  });

  it('treats a missing or dash resp as none and an empty or missing user-agent as absent', () => {
    const base =
      '2011-12-27 19:48:38 +0000: p[1]: IP: 1.2.3.4, method: OPTIONS, from: "a", to: "b"';
    assert.deepEqual([ok(base).resp, ok(base).ua], [null, null]);
    assert.deepEqual([ok(base + ', resp: -').resp, ok(base + ', resp: -').ua], [null, null]);
    const r = ok(base + ', user-agent: "sipcli/v1.8"');
    assert.deepEqual([r.resp, r.ua], [null, 'sipcli/v1.8']);
    assert.equal(ok(base + ', resp: 404, user-agent: ""').ua, null);
    assert.deepEqual(
      [ok(base + ', resp: 404, user-agent:').resp, ok(base + ', resp: 404, user-agent:').ua],
      [404, null],
    );
    assert.equal(ok(base + ', user-agent: ').ua, null);
  });

  it('rejects lines that are not the format, with a reason', () => {
    assert.equal(parseLegacyLine(''), 'empty_line');
    assert.equal(parseLegacyLine('hello world, this is not a log line at all, no'), 'bad_time');
    assert.equal(
      parseLegacyLine(
        '2011-02-31 19:48:38 +0000: p[1]: IP: 1.2.3.4, method: X, from: "a", to: "b"',
      ),
      'bad_time',
    );
    assert.equal(
      parseLegacyLine('2011-12-27 19:48:38 +0000: p[1]: IP: 1.2.3.4, method: X, from: "a", to: "b'),
      'unterminated_to',
    );
  });

  it('round-trips every string our sensor writes, escapes included', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.option(fc.integer({ min: 100, max: 699 })),
        (from, to, ua, resp) => {
          const ev: SnareEvent = {
            ...emptyEvent(),
            event: 'sip.request',
            event_id: 'x',
            ts: '2020-01-02T03:04:05.000Z',
            sensor: 's',
            src_ip: '2001:db8::1',
            method: 'INVITE',
            from_user: from,
            to_user: to,
            user_agent: ua,
            response: resp,
          };
          const line = formatLegacyLine(ev, 7);
          assert.ok(line !== null);
          const r = ok(line.slice(0, -1));
          assert.equal(r.from, from === '' ? null : from);
          assert.equal(r.to, to === '' ? null : to);
          assert.equal(r.ua, ua === '' ? null : ua);
          assert.equal(r.resp, resp);
          assert.equal(r.ip, '2001:db8::1');
          assert.equal(r.tsMs, Date.parse('2020-01-02T03:04:05Z'));
        },
      ),
      { numRuns: 500 },
    );
  });
});
