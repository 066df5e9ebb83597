/**
 * Hostile but standard input: every torture message of RFC 4475 sent to a
 * running sensor over UDP and over TCP. The process must stay up, record
 * each message (a request, a response or sip.malformed), and still answer
 * OPTIONS afterwards on both transports.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { testdata } from '../helpers/shared.js';
import { startSensorProcess, type SensorProcess } from './sensor-process.js';

const DIR = testdata('rfc4475');
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.dat'))
  .sort();

function options(port: number, transport: 'udp' | 'tcp', callId: string): Buffer {
  return Buffer.from(
    `OPTIONS sip:100@127.0.0.1:${port} SIP/2.0\r\nVia: SIP/2.0/${transport.toUpperCase()} 127.0.0.1:9;branch=z9hG4bK${callId}\r\n` +
      `From: <sip:probe@127.0.0.1>;tag=${callId}\r\nTo: <sip:100@127.0.0.1>\r\nCall-ID: ${callId}\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`,
  );
}

async function sendUdp(port: number, data: Buffer, awaitReply: boolean): Promise<string | null> {
  const sock = createSocket('udp4');
  try {
    return await new Promise<string | null>((resolve) => {
      const timer = setTimeout(
        () => {
          resolve(null);
        },
        awaitReply ? 3000 : 20,
      );
      sock.on('message', (m) => {
        clearTimeout(timer);
        resolve(m.toString('latin1'));
      });
      sock.send(data, port, '127.0.0.1');
    });
  } finally {
    sock.close();
  }
}

async function sendTcp(port: number, data: Buffer, awaitReply: boolean): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const sock = connect(port, '127.0.0.1', () => {
      sock.write(data);
      if (!awaitReply) sock.end();
    });
    const timer = setTimeout(
      () => {
        sock.destroy();
        resolve(got);
      },
      awaitReply ? 3000 : 500,
    );
    sock.on('data', (d) => {
      got += d.toString('latin1');
      if (awaitReply && got.includes('\r\n\r\n')) {
        clearTimeout(timer);
        sock.destroy();
        resolve(got);
      }
    });
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
  });
}

describe('RFC 4475 torture messages', () => {
  let s: SensorProcess;
  before(async () => {
    s = await startSensorProcess();
  });
  after(async () => {
    await s.cleanup();
  });

  it('has the torture corpus', () => {
    assert.ok(FILES.length >= 40, String(FILES.length));
  });

  it('stays up through every message over UDP and still answers OPTIONS', async () => {
    for (const f of FILES) await sendUdp(s.port, readFileSync(`${DIR}/${f}`), false);
    const reply = await sendUdp(s.port, options(s.port, 'udp', 'after-udp'), true);
    assert.match(reply ?? '', /^SIP\/2\.0 [1-6]\d\d [^\r\n]*\r\n[^]*Call-ID: after-/);
    assert.equal(s.child.exitCode, null);
  });

  it('stays up through every message over TCP and still answers OPTIONS', async () => {
    for (const f of FILES) await sendTcp(s.port, readFileSync(`${DIR}/${f}`), false);
    const reply = await sendTcp(s.port, options(s.port, 'tcp', 'after-tcp'), true);
    assert.match(reply, /^SIP\/2\.0 [1-6]\d\d [^\r\n]*\r\n[^]*Call-ID: after-/);
    assert.equal(s.child.exitCode, null);
  });

  it('recorded an event for every UDP datagram', async () => {
    assert.equal(await s.stop(), 0);
    const udp = s.events().filter((e) => e.transport === 'udp');
    assert.equal(udp.length, FILES.length + 1);
    assert.ok(udp.some((e) => e.event === 'sip.malformed'));
    assert.ok(s.events().some((e) => e.transport === 'tcp' && e.call_id === 'after-tcp'));
  });
});
