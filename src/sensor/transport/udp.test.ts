import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { describe, it } from 'node:test';
import type { ListenAddress } from '../../config/listen-url.js';
import type { InboundMessage, Listener, TransportHandlers } from './types.js';
import { existsSync } from 'node:fs';
import { DatagramBatch, unpack } from './udp-io-protocol.js';
import type { DropReport } from './udp-io-protocol.js';
import { listenUdp, UDP_DATAGRAMS_PER_TURN } from './udp.js';
import { until } from '../../testing/until.js';

const LOOPBACK: ListenAddress = {
  transport: 'udp',
  host: '127.0.0.1',
  port: 0,
  family: 4,
  url: 'udp://127.0.0.1:0',
};

function handlers(onMessage: (m: InboundMessage) => void): TransportHandlers {
  return {
    onMessage,
    onMalformed: () => undefined,
    onRefused: () => undefined,
  };
}

async function client(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  return s;
}

describe('DatagramBatch', () => {
  it('packs datagrams of any size with their peers and unpacks them unchanged', () => {
    const b = new DatagramBatch();
    const sent: [string, number, Buffer][] = [
      ['127.0.0.1', 5060, Buffer.from('OPTIONS sip:x SIP/2.0\r\n\r\n')],
      ['::1', 1, Buffer.alloc(0)],
      ['10.0.0.1', 65535, Buffer.alloc(100_000, 0xab)], // grows the buffer past its first size
      ['192.0.2.7', 40000, Buffer.from([0, 1, 2, 0xff])],
    ];
    for (const [ip, port, bytes] of sent) b.add(ip, port, bytes);
    assert.equal(b.count, 4);
    const packed = b.take();
    assert.equal(b.count, 0, 'take() starts a fresh batch');
    const got: [string, number, Buffer][] = [];
    unpack(packed, (bytes, ip, port) => got.push([ip, port, Buffer.from(bytes)]));
    assert.deepEqual(got, sent);
  });

  it('unpacks a range of a batch: datagrams [from, to)', () => {
    const b = new DatagramBatch();
    for (let i = 0; i < 5; i++) b.add('192.0.2.1', 5060 + i, Buffer.from(`d${i}`.repeat(i + 1)));
    const packed = b.take();
    const got: string[] = [];
    unpack(packed, (bytes, _ip, port) => got.push(`${port}:${bytes.toString()}`), 1, 3);
    assert.deepEqual(got, ['5061:d1d1', '5062:d2d2d2']);
  });

  it('keeps the size as received of a datagram added cut', () => {
    const b = new DatagramBatch();
    b.add('192.0.2.1', 5060, Buffer.alloc(10, 0x41), 70_000);
    b.add('192.0.2.2', 5060, Buffer.from('ok'));
    assert.equal(b.bytes, 12);
    const seen: [number, number][] = [];
    unpack(b.take(), (bytes, _ip, _port, size) => seen.push([bytes.length, size]));
    assert.deepEqual(seen, [
      [10, 70_000],
      [2, 2],
    ]);
  });
});

describe('UDP listener (I/O thread)', () => {
  it('delivers datagrams with their source and sends replies back to it', async () => {
    const got: InboundMessage[] = [];
    const l = await listenUdp(
      LOOPBACK,
      { maxMessageBytes: 65535 },
      handlers((m) => {
        got.push(m);
        m.reply(Buffer.concat([Buffer.from('re:'), m.bytes]));
      }),
    );
    const c = await client();
    const replies: string[] = [];
    c.on('message', (m) => replies.push(m.toString()));
    for (let i = 0; i < 50; i++) c.send(`ping ${i}`, l.address.port, '127.0.0.1');
    await until(() => replies.length === 50);
    assert.deepEqual(
      got.map((m) => m.bytes.toString()),
      Array.from({ length: 50 }, (_, i) => `ping ${i}`),
      'every datagram, in order',
    );
    const first = got[0];
    assert.ok(first);
    assert.equal(first.srcIp, '127.0.0.1');
    assert.equal(first.srcPort, c.address().port);
    assert.equal(first.dstPort, l.address.port);
    assert.deepEqual(
      [...replies].sort(),
      Array.from({ length: 50 }, (_, i) => `re:ping ${i}`).sort(),
    );
    // A reply sent later (a retransmission timer) goes out on its own.
    setTimeout(() => {
      first.reply(Buffer.from('later'));
    }, 20);
    await until(() => replies.includes('later'));
    c.close();
    await l.close();
  });

  /**
   * Sends `count` datagrams at once to a listener whose sensor thread is busy
   * for 300 ms with the first one, so the I/O thread reads the rest meanwhile;
   * resolves with how many were processed and how many dropped.
   */
  async function floodWhileBusy(
    bounds: { maxInflight?: number; maxInflightBytes?: number },
    datagram: (i: number) => Buffer,
    count: number,
  ): Promise<{ received: number; lost: number }> {
    const dropped: number[] = [];
    let received = 0;
    const l = await listenUdp(
      LOOPBACK,
      { maxMessageBytes: 65535, ...bounds, onDropped: (r) => dropped.push(r.ioThread) },
      handlers(() => {
        received++;
        if (received === 1) {
          const end = Date.now() + 300;
          while (Date.now() < end);
        }
      }),
    );
    const c = await client();
    for (let i = 0; i < count; i++) c.send(datagram(i), l.address.port, '127.0.0.1');
    const lost = (): number => dropped.reduce((a, b) => a + b, 0);
    await until(() => received + lost() === count);
    c.close();
    await l.close();
    return { received, lost: lost() };
  }

  it('hands queued datagrams out a bounded share per turn of the event loop', async () => {
    // The first datagram keeps the sensor busy while the rest queue up; each
    // turn's share is counted by an immediate armed at its first datagram,
    // which runs at the next turn.
    const count = 2000;
    let received = 0;
    let share = 0;
    let largest = 0;
    let armed = false;
    const l = await listenUdp(
      LOOPBACK,
      { maxMessageBytes: 65535 },
      handlers(() => {
        received++;
        share++;
        if (!armed) {
          armed = true;
          setImmediate(() => {
            largest = Math.max(largest, share);
            share = 0;
            armed = false;
          });
        }
        if (received === 1) {
          const end = Date.now() + 300;
          while (Date.now() < end);
        }
      }),
    );
    const c = await client();
    for (let i = 0; i < count; i++) c.send(`x${i}`, l.address.port, '127.0.0.1');
    await until(() => received === count);
    await new Promise((r) => setImmediate(r));
    c.close();
    await l.close();
    assert.ok(largest > 1, `datagrams queued up while the sensor was busy (${largest})`);
    assert.ok(
      largest <= UDP_DATAGRAMS_PER_TURN,
      `at most ${UDP_DATAGRAMS_PER_TURN} per turn, saw ${largest}`,
    );
  });

  it('drops and counts datagrams beyond its bound while the sensor is busy, never more', async () => {
    const { received, lost } = await floodWhileBusy(
      { maxInflight: 20 },
      (i) => Buffer.from(`x${i}`),
      201,
    );
    assert.ok(lost > 0, 'some datagrams dropped');
    assert.ok(received >= 20, `at least a full bound processed (${received})`);
  });

  it('bounds the bytes waiting as well as the datagrams', async () => {
    const { received, lost } = await floodWhileBusy(
      { maxInflightBytes: 10_000 },
      () => Buffer.alloc(1000, 0x42),
      100,
    );
    assert.ok(lost > 0, 'some datagrams dropped');
    assert.ok(received >= 10, `at least a full bound processed (${received})`);
  });

  it('hands over only the first bytes of an oversized datagram, with its size', async () => {
    const malformed: { size: number; excerpt: number }[] = [];
    const l = await listenUdp(
      LOOPBACK,
      // 2,000 bytes may wait: three 30,000-byte datagrams fit only as their excerpts.
      { maxMessageBytes: 1000, maxInflightBytes: 2000 },
      {
        onMessage: () => assert.fail('an oversized datagram is no message'),
        onMalformed: (m) => malformed.push({ size: m.size, excerpt: m.excerpt.length }),
        onRefused: () => undefined,
      },
    );
    const c = await client();
    for (let i = 0; i < 3; i++) c.send(Buffer.alloc(30_000, 0x43), l.address.port, '127.0.0.1');
    await until(() => malformed.length === 3);
    assert.deepEqual(malformed, Array(3).fill({ size: 30_000, excerpt: 256 }));
    c.close();
    await l.close();
  });

  it('releases its port on close and reports a port in use as an error', async () => {
    const l: Listener = await listenUdp(
      LOOPBACK,
      { maxMessageBytes: 65535 },
      handlers(() => {}),
    );
    const port = l.address.port;
    await assert.rejects(
      listenUdp(
        { ...LOOPBACK, port },
        { maxMessageBytes: 65535 },
        handlers(() => {}),
      ),
      /EADDRINUSE/,
    );
    await l.close();
    const again = await listenUdp(
      { ...LOOPBACK, port },
      { maxMessageBytes: 65535 },
      handlers(() => {}),
    );
    assert.equal(again.address.port, port);
    await again.close();
  });

  it('accounts for every datagram of a flood: received, dropped by the I/O thread, or dropped by the kernel (Linux)', async (t) => {
    if (!existsSync('/proc/net/udp')) {
      t.skip('no /proc/net/udp on this system');
      return;
    }
    const reports: DropReport[] = [];
    let received = 0;
    // A small kernel buffer and a sensor thread that sleeps: both places drop.
    const l = await listenUdp(
      LOOPBACK,
      {
        maxMessageBytes: 65535,
        recvBufferBytes: 16 * 1024,
        maxInflight: 200,
        onDropped: (r) => reports.push(r),
      },
      handlers(() => {
        received++;
        if (received === 1) {
          const end = Date.now() + 300;
          while (Date.now() < end);
        }
      }),
    );
    const c = await client();
    const count = 20000;
    const payload = Buffer.alloc(1000, 0x61);
    for (let i = 0; i < count; i++) c.send(payload, l.address.port, '127.0.0.1');
    const lost = (k: 'ioThread' | 'kernel'): number => reports.reduce((a, r) => a + (r[k] ?? 0), 0);
    await until(() => received + lost('ioThread') + lost('kernel') === count, 10000);
    c.close();
    await l.close();
    assert.ok(lost('kernel') > 0, 'the kernel dropped some');
    assert.ok(lost('ioThread') > 0, 'the I/O thread dropped some');
    for (const r of reports) assert.ok(r.periodMs >= 0 && r.periodMs < 10000);
  });
});
