import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket as TcpSocket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { startTestSensor } from '../../test/helpers/test-sensor.js';
import type { Persona, PersonaResult } from './persona/types.js';
import { until } from '../testing/until.js';

/** A tiny stand-in persona: answers by method, with no SIP parsing beyond the first line. */
const testPersona: Persona = {
  handle(bytes): PersonaResult {
    const text = Buffer.from(bytes).toString('latin1');
    const method = /^([A-Z]+) sip:/.exec(text)?.[1];
    const callId = /Call-ID: (\S+)/.exec(text)?.[1] ?? 'none';
    const ok = (code: number) => Buffer.from(`SIP/2.0 ${code} X\r\nCall-ID: ${callId}\r\n\r\n`);
    if (method === 'BOOM') throw new Error('persona bug');
    if (method === 'BIG')
      return {
        event: 'sip.request',
        fields: { method },
        replies: [{ data: Buffer.alloc(5000, 0x41), status: 200 }],
        stopRetransmit: [],
      };
    if (method === 'ACK')
      return { event: 'sip.request', fields: { method }, replies: [], stopRetransmit: [callId] };
    if (method === 'INVITE')
      return {
        event: 'sip.request',
        fields: { method, dialed: '0015551234' },
        replies: [
          { data: ok(100), status: 100 },
          { data: ok(486), status: 486, retransmitKey: callId },
        ],
        stopRetransmit: [],
      };
    if (method === 'RING')
      return {
        event: 'sip.request',
        fields: { method },
        replies: [{ data: ok(180), status: 180 }],
        stopRetransmit: [],
        later: { afterMs: 200, run: () => [{ data: ok(486), status: 486, retransmitKey: callId }] },
      };
    if (method !== undefined)
      return {
        event: 'sip.request',
        fields: { method, response: 200 },
        replies: [{ data: ok(200), status: 200 }],
        stopRetransmit: [],
      };
    return {
      event: 'sip.malformed',
      fields: { reason: 'garbage' },
      replies: [],
      stopRetransmit: [],
    };
  },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const req = (method: string, callId = 'c1', pad = 300) =>
  Buffer.from(
    `${method} sip:100@h SIP/2.0\r\nCall-ID: ${callId}\r\nX-Pad: ${'p'.repeat(pad)}\r\nContent-Length: 0\r\n\r\n`,
  );

/** A sensor with the stand-in persona; `limits` are `limits.*` keys. */
const startSensor = (
  limits: Record<string, number> = {},
  listen = ['udp://127.0.0.1:0', 'tcp://127.0.0.1:0', 'udp://[::1]:0'],
) => startTestSensor(testPersona, { limits, listen, reportIntervalMs: 50 });

function udpClient(family: 4 | 6 = 4): { sock: Socket; got: Buffer[] } {
  const sock = createSocket(family === 6 ? 'udp6' : 'udp4');
  const got: Buffer[] = [];
  sock.on('message', (m) => got.push(m));
  return { sock, got };
}
function tcpClient(
  port: number,
): Promise<{ sock: TcpSocket; data: () => string; closed: () => boolean }> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let closed = false;
    const sock = connect(port, '127.0.0.1', () => {
      resolve({ sock, data: () => buf, closed: () => closed });
    });
    sock.on('data', (d) => (buf += d.toString('latin1')));
    sock.on('close', () => (closed = true));
    sock.on('error', reject);
  });
}

describe('Sensor', () => {
  let s: Awaited<ReturnType<typeof startSensor>>;
  before(async () => {
    s = await startSensor();
  });
  after(async () => {
    await s.sensor.stop();
  });

  it('answers a UDP request to its source and records one event with the shared fields', async () => {
    const udp = s.sensor.addresses[0]!;
    const c = udpClient();
    c.sock.bind(0, '127.0.0.1');
    await new Promise((r) => c.sock.once('listening', r));
    c.sock.send(req('OPTIONS', 'u1'), udp.port, '127.0.0.1');
    await until(() => c.got.length === 1);
    assert.match(c.got[0]!.toString(), /^SIP\/2.0 200 X\r\nCall-ID: u1/);
    const ev = s.sink.events.find((e) => e.method === 'OPTIONS' && e.transport === 'udp')!;
    assert.equal(ev.src_ip, '127.0.0.1');
    assert.equal(ev.src_port, c.sock.address().port);
    assert.equal(ev.dst_port, udp.port);
    assert.equal(ev.response, 200);
    assert.equal(ev.size, req('OPTIONS', 'u1').length);
    assert.match(ev.event_id, /^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    assert.match(ev.ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    c.sock.close();
  });

  it('listens on IPv6 too', async () => {
    const v6 = s.sensor.addresses[2]!;
    const c = udpClient(6);
    c.sock.send(req('OPTIONS', 'v6'), v6.port, '::1');
    await until(() => c.got.length === 1);
    assert.ok(s.sink.events.some((e) => e.src_ip === '::1' && e.dst_ip === '::1'));
    c.sock.close();
  });

  it('frames TCP streams: split and coalesced messages, replies on the same connection, CRLF keepalives', async () => {
    const tcp = s.sensor.addresses[1]!;
    const c = await tcpClient(tcp.port);
    const a = req('OPTIONS', 't1');
    c.sock.write(a.subarray(0, 20));
    await sleep(30);
    c.sock.write(Buffer.concat([a.subarray(20), req('REGISTER', 't2')]));
    await until(() => (c.data().match(/SIP\/2.0 200/g) ?? []).length === 2);
    c.sock.write('\r\n\r\n');
    await until(() => c.data().endsWith('\r\n\r\n\r\n'));
    assert.ok(s.sink.events.some((e) => e.transport === 'tcp' && e.method === 'REGISTER'));
    c.sock.destroy();
  });

  it('retransmits an INVITE final response over UDP until the ACK', async () => {
    const udp = s.sensor.addresses[0]!;
    const c = udpClient();
    c.sock.send(req('INVITE', 'inv1'), udp.port, '127.0.0.1');
    await until(() => c.got.length === 2);
    await sleep(1700); // T1=500 ms: resends at 0.5 s and 1.5 s
    const finals = c.got.filter((m) => m.toString().startsWith('SIP/2.0 486'));
    assert.equal(finals.length, 3);
    c.sock.send(req('ACK', 'inv1'), udp.port, '127.0.0.1');
    await sleep(2300);
    assert.equal(c.got.filter((m) => m.toString().startsWith('SIP/2.0 486')).length, 3);
    const ev = s.sink.events.find((e) => e.call_id === null && e.method === 'INVITE')!;
    assert.equal(ev.response, 486);
    assert.equal(ev.dialed, '0015551234');
    c.sock.close();
  });

  it('sends a deferred answer later to the same source, over UDP (retransmitted) and TCP', async () => {
    const udp = s.sensor.addresses[0]!;
    const c = udpClient();
    c.sock.send(req('RING', 'ring1'), udp.port, '127.0.0.1');
    await until(() => c.got.length === 1);
    assert.match(c.got[0]!.toString(), /^SIP\/2.0 180 /);
    await until(() => c.got.length === 2);
    assert.match(c.got[1]!.toString(), /^SIP\/2.0 486 X\r\nCall-ID: ring1/);
    await until(() => c.got.length === 3, 2000); // first resend after T1
    c.sock.send(req('ACK', 'ring1'), udp.port, '127.0.0.1');
    await sleep(1200);
    assert.equal(c.got.length, 3);
    c.sock.close();
    const tcp = await tcpClient(s.sensor.addresses[1]!.port);
    tcp.sock.write(req('RING', 'ring2'));
    await until(() => tcp.data().includes('SIP/2.0 486 X\r\nCall-ID: ring2'));
    assert.ok(tcp.data().startsWith('SIP/2.0 180 '));
    tcp.sock.destroy();
  });

  it('records oversized datagrams as sip.malformed without parsing them', async () => {
    const udp = s.sensor.addresses[0]!;
    const c = udpClient();
    c.sock.send(Buffer.alloc(20000, 0x01), udp.port, '127.0.0.1');
    await until(() => s.sink.of('sip.malformed').some((e) => e.reason === 'too_large'));
    const ev = s.sink.of('sip.malformed').find((e) => e.reason === 'too_large')!;
    assert.equal(ev.size, 20000);
    assert.equal(ev.excerpt, '\\x01'.repeat(256));
    c.sock.close();
  });

  it('survives a persona that throws and records the input', async () => {
    const udp = s.sensor.addresses[0]!;
    const c = udpClient();
    c.sock.send(req('BOOM', 'b'), udp.port, '127.0.0.1');
    c.sock.send(req('OPTIONS', 'after-boom'), udp.port, '127.0.0.1');
    await until(() => c.got.length === 1);
    assert.ok(s.sink.of('sip.malformed').some((e) => e.reason === 'internal_error'));
    c.sock.close();
  });

  it('never sends a UDP answer much larger than the request (amplification)', async () => {
    const udp = s.sensor.addresses[0]!;
    const c = udpClient();
    c.sock.send(req('BIG', 'big', 10), udp.port, '127.0.0.1');
    await until(() => s.sink.of('sensor.rate_limited').some((e) => e.reason === 'amplification'));
    assert.equal(c.got.length, 0);
    assert.equal(s.sink.events.find((e) => e.method === 'BIG')?.response, null);
    c.sock.close();
  });
});

describe('Sensor limits', () => {
  it('records but does not answer beyond the per-source budget, and reports the drops', async () => {
    const { sensor, sink } = await startSensor(
      { responses_per_source_burst: 3, responses_per_source_per_s: 1 },
      ['udp://127.0.0.1:0'],
    );
    const c = udpClient();
    for (let i = 0; i < 8; i++)
      c.sock.send(req('OPTIONS', `r${i}`), sensor.addresses[0]!.port, '127.0.0.1');
    await until(() => sink.of('sensor.rate_limited').length === 1);
    assert.equal(c.got.length, 3);
    assert.equal(sink.of('sip.request').length, 8);
    assert.equal(sink.of('sip.request').filter((e) => e.response === null).length, 5);
    const rl = sink.of('sensor.rate_limited')[0]!;
    assert.equal(rl.dropped, 5);
    assert.equal(rl.reason, 'source_rate');
    assert.equal(rl.src_ip, '127.0.0.1');
    c.sock.close();
    await sensor.stop();
  });

  it('closes TCP connections beyond the per-source cap', async () => {
    const { sensor, sink } = await startSensor({ tcp_max_per_source: 2 }, ['tcp://127.0.0.1:0']);
    const port = sensor.addresses[0]!.port;
    const conns = [await tcpClient(port), await tcpClient(port), await tcpClient(port)];
    await until(() => conns[2]!.closed());
    assert.ok(!conns[0]!.closed() && !conns[1]!.closed());
    await until(() =>
      sink.of('sensor.rate_limited').some((e) => e.reason === 'tcp_source_connections'),
    );
    for (const c of conns) c.sock.destroy();
    await sensor.stop();
  });

  it('closes idle TCP connections', async () => {
    const { sensor } = await startSensor({ tcp_idle_timeout_ms: 100 }, ['tcp://127.0.0.1:0']);
    const c = await tcpClient(sensor.addresses[0]!.port);
    await until(() => c.closed(), 2000);
    await sensor.stop();
  });

  it('closes a TCP peer that trickles a header block past its deadline, though it is never idle', async () => {
    const { sensor, sink } = await startSensor(
      { tcp_header_timeout_ms: 800, tcp_min_bytes_per_s: 1 },
      ['tcp://127.0.0.1:0'],
    );
    const c = await tcpClient(sensor.addresses[0]!.port);
    const text = req('OPTIONS', 'slow1').toString('latin1');
    const t0 = Date.now();
    let i = 0;
    // One byte every 100 ms: the 30 s idle timeout never fires.
    const trickle = setInterval(() => {
      if (!c.closed()) c.sock.write(text[i++ % text.length] ?? 'x');
    }, 100);
    await until(() => c.closed(), 5000);
    clearInterval(trickle);
    const took = Date.now() - t0;
    assert.ok(took >= 700 && took < 2500, `closed after ${took} ms`);
    const ev = sink.of('sip.malformed').find((e) => e.reason === 'too_slow');
    // What had come: about 8 bytes.
    assert.ok(ev?.excerpt?.startsWith('OPTIO'), ev?.excerpt ?? 'no too_slow event');
    assert.equal(sink.of('sip.request').length, 0);
    await sensor.stop();
  });

  it('closes a TCP peer whose body comes slower than the minimum rate, and keeps a merely bursty one', async () => {
    const { sensor, sink } = await startSensor({ tcp_min_bytes_per_s: 100 }, ['tcp://127.0.0.1:0']);
    const port = sensor.addresses[0]!.port;
    const body = 'v=0\r\n'.repeat(100);
    const head = `INVITE sip:100@h SIP/2.0\r\nCall-ID: slow2\r\nContent-Length: ${body.length}\r\n\r\n`;
    const slow = await tcpClient(port);
    slow.sock.write(head);
    let i = 0;
    const trickle = setInterval(() => {
      if (!slow.closed()) slow.sock.write(body[i++] ?? '');
    }, 100);
    // A client that sends a message in two parts 500 ms apart is well within the pace.
    const bursty = await tcpClient(port);
    bursty.sock.write(head.replace('slow2', 'ok2'));
    await new Promise((r) => setTimeout(r, 500));
    bursty.sock.write(body);
    await until(() => bursty.data().includes('Call-ID: ok2'));
    await until(() => slow.closed(), 6000);
    clearInterval(trickle);
    assert.ok(!bursty.closed());
    assert.ok(sink.of('sip.malformed').some((e) => e.reason === 'too_slow'));
    assert.ok(!sink.events.some((e) => e.call_id === 'slow2'));
    bursty.sock.destroy();
    await sensor.stop();
  });

  it('closes a TCP stream that buffers more than max_message_bytes without a message', async () => {
    const { sensor, sink } = await startSensor({ max_message_bytes: 1024 }, ['tcp://127.0.0.1:0']);
    const c = await tcpClient(sensor.addresses[0]!.port);
    c.sock.write('OPTIONS sip:x SIP/2.0\r\nX: ' + 'a'.repeat(2000));
    await until(() => c.closed());
    assert.ok(
      sink.of('sip.malformed').some((e) => e.reason === 'too_large' && e.transport === 'tcp'),
    );
    await sensor.stop();
  });
});

describe('Sensor over TLS', () => {
  it('makes a self-signed certificate at first start and answers over TLS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snare-tls-'));
    const { sensor, sink } = await startTestSensor(testPersona, {
      listen: ['tls://127.0.0.1:0'],
      tlsDir: dir,
    });
    try {
      const reply = await new Promise<string>((resolve, reject) => {
        const sock = tlsConnect(
          { port: sensor.addresses[0]!.port, host: '127.0.0.1', rejectUnauthorized: false },
          () => {
            sock.write(req('OPTIONS', 'tls1'));
          },
        );
        let got = '';
        sock.on('data', (d: Buffer) => {
          got += d.toString('latin1');
          if (got.includes('\r\n\r\n')) {
            sock.destroy();
            resolve(got);
          }
        });
        sock.on('error', reject);
      });
      assert.match(reply, /^SIP\/2.0 200 X\r\nCall-ID: tls1/);
      assert.equal(
        sink.events.find((e) => e.call_id === null && e.transport === 'tls')?.method,
        'OPTIONS',
      );
    } finally {
      await sensor.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Sensor on wildcard addresses', () => {
  it('reports the real local address, never 0.0.0.0', async () => {
    const { sensor, sink } = await startSensor({}, ['tcp://0.0.0.0:0', 'udp://0.0.0.0:0']);
    try {
      const c = await tcpClient(sensor.addresses[0]!.port);
      c.sock.write(req('OPTIONS', 'wild'));
      await until(() => c.data().includes('wild'));
      c.sock.destroy();
      const u = udpClient();
      u.sock.send(req('OPTIONS', 'wild-udp'), sensor.addresses[1]!.port, '127.0.0.1');
      await until(() => u.got.length === 1);
      u.sock.close();
      assert.equal(sink.events.find((e) => e.transport === 'tcp')?.dst_ip, '127.0.0.1');
      const udpDst = sink.events.find((e) => e.transport === 'udp')?.dst_ip;
      assert.ok(udpDst && udpDst !== '0.0.0.0', String(udpDst));
    } finally {
      await sensor.stop();
    }
  });
});
