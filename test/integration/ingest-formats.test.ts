import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MAX_UNANSWERED } from '../../src/ingest/capture.js';
import { idPrefix, importEventId } from '../../src/ingest/import-ledger.js';
import { fileInfo, sensorFromPath } from '../../src/ingest/source.js';
import { testdata } from '../helpers/shared.js';
import { ipv4Udp, rawIpPcap, scratch, type Scratch } from './ingest-helpers.js';

/** The event id the importer gives line `line` of a file imported under its own name. */
function idOf(path: string, line: number): string {
  return importEventId(idPrefix(sensorFromPath(path), fileInfo(path).headSha), line);
}

/** Lines of Asterisk logs from services that are not SIP: documented as not imported. */
const NOT_SIP = /chan_iax2|manager\.c|Service="AMI"/;

describe('ingest of the shared real-world files', () => {
  let s: Scratch;
  before(async () => {
    s = await scratch();
  });
  after(() => {
    s.done();
  });

  it('reads the Honeynet log: 4,266 records with the published method counts', async () => {
    const path = testdata('attack-traffic', 'honeynet-fc4-2010-voip', 'logs_v3.txt');
    const r = await s.ingest([path]);
    assert.equal(r.files[0]?.format, 'honeynet');
    assert.equal(r.rejected, 0);
    assert.equal(r.events, 4266);
    const m = await s.rows(
      "SELECT method, count(*)::INTEGER AS n FROM events WHERE origin = 'honeynet' GROUP BY method ORDER BY n DESC",
    );
    assert.deepEqual(m, [
      { method: 'REGISTER', n: 4254 },
      { method: 'SUBSCRIBE', n: 7 },
      { method: 'INVITE', n: 4 },
      { method: 'OPTIONS', n: 1 },
    ]);
    const ua = await s.rows(
      "SELECT user_agent, count(*)::INTEGER AS n FROM events WHERE origin = 'honeynet' GROUP BY 1 ORDER BY 2 DESC",
    );
    assert.deepEqual(ua, [
      { user_agent: 'friendly-scanner', n: 4248 },
      { user_agent: 'Zoiper rev.6751', n: 18 },
    ]);
    const first = await s.rows(
      'SELECT ts, src_ip, src_port, method FROM events WHERE event_id = $1',
      [idOf(path, 1)],
    );
    assert.deepEqual(first, [
      {
        ts: new Date('2010-05-02T01:43:05.606Z'),
        src_ip: '210.184.X.Y',
        src_port: 1083,
        method: 'OPTIONS',
      },
    ]);
    const dialed = await s.rows(
      "SELECT dialed FROM events WHERE origin = 'honeynet' AND method = 'INVITE' ORDER BY ts",
    );
    assert.ok(dialed.every((d) => typeof d['dialed'] === 'string' && /X+$/.test(d['dialed'])));
  });

  it('matches the fail2ban ground truth line by line (address and time)', async () => {
    for (const name of ['asterisk.log', 'freeswitch.log']) {
      const path = testdata('pbx-logs', 'fail2ban', name);
      await s.ingest([path], { sensorId: sensorFromPath(path) });
      const lines = readFileSync(path, 'utf8').split('\n');
      let checked = 0;
      for (let i = 0; i < lines.length; i++) {
        const m = /^# failJSON: (\{.*\})\s*$/.exec(lines[i] ?? '');
        if (!m) continue;
        const truth = JSON.parse(m[1] ?? '{}') as { time?: string; match: boolean; host?: string };
        const lineNo = i + 2;
        const text = lines[i + 1] ?? '';
        const got = await s.rows('SELECT src_ip, ts FROM events WHERE event_id = $1', [
          idOf(path, lineNo),
        ]);
        if (!truth.match || NOT_SIP.test(text)) {
          assert.deepEqual(got, [], `${name}:${lineNo} must not be an attack event`);
          continue;
        }
        assert.equal(got.length, 1, `${name}:${lineNo} gives one event: ${text}`);
        assert.equal(got[0]?.['src_ip'], truth.host, `${name}:${lineNo}`);
        if (truth.time !== undefined) {
          const iso = (got[0]?.['ts'] as Date).toISOString().slice(0, 19);
          const yearless = /^\[?[A-Z][a-z]{2} |^\d\d-\d\d /.test(text);
          assert.equal(
            yearless ? iso.slice(5) : iso,
            yearless ? truth.time.slice(5) : truth.time,
            `${name}:${lineNo}`,
          );
        }
        checked++;
      }
      assert.ok(checked >= 10, `${name}: ${checked} lines checked`);
    }
  });

  it('matches the CrowdSec parser expectations and scenario sources', async () => {
    const dir = testdata('pbx-logs', 'crowdsec');
    for (const f of ['asterisk-logs', 'asterisk-syslogs', 'freeswitch']) {
      const log = `${dir}/${f}.log`;
      await s.ingest([log]);
      const spec = readFileSync(`${dir}/${f}.parser.assert`, 'utf8');
      const success = [
        ...spec.matchAll(/s01-parse"\]\["[^"]+"\]\[(\d+)\]\.Success == (true|false)/g),
      ];
      assert.ok(success.length > 0);
      for (const [, idx, ok] of success) {
        const line = Number(idx) + 1;
        const ip = new RegExp(
          `s01-parse"\\]\\["[^"]+"\\]\\[${idx}\\]\\.Evt\\.Meta\\["source_ip"\\] == "([^"]+)"`,
        ).exec(spec)?.[1];
        const got = await s.rows('SELECT src_ip FROM events WHERE event_id = $1', [
          idOf(log, line),
        ]);
        if (ok === 'true') assert.deepEqual(got, [{ src_ip: ip }], `${f}:${line}`);
        else assert.deepEqual(got, [], `${f}:${line}`);
      }
    }
    for (const f of [
      'asterisk-bf',
      'asterisk-user-enum',
      'freeswitch-acl-reject',
      'freeswitch-bf',
      'freeswitch-user-enumeration',
    ]) {
      const log = `${dir}/${f}.log`;
      const r = await s.ingest([log]);
      const spec = readFileSync(`${dir}/${f}.scenario.assert`, 'utf8');
      const ip = /"([^"]+)" in results\[0\]\.Overflow\.GetSources\(\)/.exec(spec)?.[1];
      assert.ok(ip !== undefined, f);
      assert.equal(r.rejected, 0, f);
      const got = await s.rows('SELECT DISTINCT src_ip FROM events WHERE sensor = $1', [f]);
      assert.deepEqual(got, [{ src_ip: ip }], f);
    }
  });

  it('reads pcap and pcapng captures like tshark does', async () => {
    const cases: [string, Record<string, number>][] = [
      [
        testdata('attack-traffic', 'benign-baseline', 'ndpi-sip.pcap'),
        {
          'sip.request ACK': 7,
          'sip.request CANCEL': 11,
          'sip.request INVITE': 11,
          'sip.request REGISTER': 18,
          'sip.response': 34,
        },
      ],
      [
        testdata('attack-traffic', 'benign-baseline', 'ndpi-sip_hello.pcapng'),
        { 'sip.request REGISTER': 4, 'sip.response': 4 },
      ],
      [
        testdata('attack-traffic', 'honeynet-fc4-2010-voip', 'Forensic_challenge_4.pcap'),
        {
          'sip.request ACK': 2,
          'sip.request BYE': 1,
          'sip.request INVITE': 2,
          'sip.request OPTIONS': 1,
          'sip.request REGISTER': 2,
          'sip.request SUBSCRIBE': 2,
          'sip.response': 9,
        },
      ],
      [
        testdata('asterisk-reference', 'alwaysauthreject_yes', 'sipvicious.pcap'),
        {
          'sip.request INVITE': 1,
          'sip.request OPTIONS': 34,
          'sip.request REGISTER': 36,
          'sip.response': 81,
        },
      ],
    ];
    for (const [path, want] of cases) {
      const sensor = `cap-${basename(path)}`;
      const r = await s.ingest([path], { sensorId: sensor });
      assert.equal(r.files[0]?.rejected, 0, path);
      const rows = await s.rows(
        `SELECT event || CASE WHEN event = 'sip.request' THEN ' ' || method ELSE '' END AS k, count(*)::INTEGER AS n
         FROM events WHERE sensor = $1 GROUP BY k ORDER BY k`,
        [sensor],
      );
      assert.deepEqual(Object.fromEntries(rows.map((x) => [x['k'], x['n']])), want, path);
    }
    const resp = await s.rows(
      "SELECT count(*)::INTEGER AS n FROM events WHERE sensor = 'cap-ndpi-sip.pcap' AND event = 'sip.response' AND status = 401",
    );
    assert.deepEqual(resp, [{ n: 14 }]);
  });

  it('stores every request of a capture, answered or not, past the bound on waiting requests', async () => {
    const attacker = [203, 0, 113, 7];
    const pbx = [192, 0, 2, 1];
    const register = (n: number): string =>
      `REGISTER sip:192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 203.0.113.7:5060;branch=z9hG4bK${n}\r\n` +
      `From: <sip:${n}@192.0.2.1>;tag=${n}\r\nTo: <sip:${n}@192.0.2.1>\r\nCall-ID: c${n}\r\n` +
      `CSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n`;
    const n = MAX_UNANSWERED + 50;
    const packets = Array.from({ length: n }, (_, i) => ({
      src: attacker,
      sport: 5060,
      dst: pbx,
      dport: 5060,
      data: register(i),
    }));
    // The last request is answered; the first one's answer comes after it fell out of the bound.
    for (const k of [n - 1, 0])
      packets.push({
        src: pbx,
        sport: 5060,
        dst: attacker,
        dport: 5060,
        data:
          `SIP/2.0 404 Not found\r\nVia: SIP/2.0/UDP 203.0.113.7:5060;branch=z9hG4bK${k}\r\n` +
          `From: <sip:${k}@192.0.2.1>;tag=${k}\r\nTo: <sip:${k}@192.0.2.1>;tag=as1\r\n` +
          `Call-ID: c${k}\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n`,
      });
    const path = join(s.dir, 'unanswered.pcap');
    writeFileSync(
      path,
      rawIpPcap(
        packets.map((p) => ipv4Udp(p.src, p.sport, p.dst, p.dport, Buffer.from(p.data, 'latin1'))),
      ),
    );
    const r = await s.ingest([path], { sensorId: 'unanswered' });
    assert.deepEqual([r.events, r.rejected], [n + 2, 0]);
    const rows = await s.rows(
      `SELECT response, count(*)::INTEGER AS n FROM events
       WHERE sensor = 'unanswered' AND event = 'sip.request' GROUP BY ALL ORDER BY response`,
    );
    assert.deepEqual(rows, [
      { response: 404, n: 1 },
      { response: null, n: n - 1 },
    ]);
  });

  it('pairs requests in a capture with the answers to them: response codes and cracked passwords', async () => {
    const sensor = 'cap-answers';
    await s.ingest([testdata('asterisk-reference', 'alwaysauthreject_no', 'sipvicious.pcap')], {
      sensorId: sensor,
    });
    // The real Asterisk answered every request svmap, svwar and svcrack sent.
    const unanswered = await s.rows(
      "SELECT count(*)::INTEGER AS n FROM events WHERE sensor = $1 AND event = 'sip.request' AND response IS NULL",
      [sensor],
    );
    assert.deepEqual(unanswered, [{ n: 0 }]);
    const byCode = await s.rows(
      `SELECT method, response, count(*)::INTEGER AS n FROM events
       WHERE sensor = $1 AND event = 'sip.request' GROUP BY ALL ORDER BY method, response`,
      [sensor],
    );
    assert.deepEqual(byCode, [
      { method: 'INVITE', response: 403, n: 1 },
      { method: 'OPTIONS', response: 404, n: 34 },
      { method: 'REGISTER', response: 200, n: 1 },
      { method: 'REGISTER', response: 401, n: 11 },
      { method: 'REGISTER', response: 403, n: 7 },
      { method: 'REGISTER', response: 404, n: 30 },
    ]);
    // svcrack's right guess got 200 (auth_ok), its wrong ones 403.
    const auth = await s.rows(
      `SELECT auth_ok, password_guess, count(*)::INTEGER AS n FROM events
       WHERE sensor = $1 AND auth_user = '100' GROUP BY ALL ORDER BY auth_ok, password_guess`,
      [sensor],
    );
    assert.deepEqual(
      auth.filter((r) => r['auth_ok'] === true),
      [{ auth_ok: true, password_guess: 'qwerty12', n: 1 }],
    );
    assert.equal(
      auth.filter((r) => r['auth_ok'] === false).reduce((a, r) => a + Number(r['n']), 0),
      7,
    );
  });
});
