/**
 * Internal errors are not attacker data: a bug met while handling a
 * message (here the real Asterisk persona whose randomness fails, so it
 * throws while building its answer) reaches the sensor's one boundary,
 * which records the input as `internal_error`, answers nothing, and logs
 * it at most once per interval however often an attacker repeats it.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { startTestSensor } from '../../test/helpers/test-sensor.js';
import { loadConfig } from '../config/load.js';
import { createLogger } from '../log.js';
import { until } from '../testing/until.js';
import { createAsteriskPersona } from './persona/index.js';

const options = (i: number) =>
  Buffer.from(
    `OPTIONS sip:100@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-ie${i}\r\n` +
      `From: <sip:probe@127.0.0.1>;tag=ie${i}\r\nTo: <sip:100@127.0.0.1>\r\nCall-ID: ie-${i}\r\n` +
      'CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
  );

describe('internal errors', () => {
  const config = loadConfig({ flags: { listen: ['udp://127.0.0.1:0'], 'store.db': null } });
  const broken = () =>
    createAsteriskPersona(config, {
      random: () => {
        throw new Error('randomness failed');
      },
    });

  it('the persona does not swallow its own bugs', () => {
    const ctx = {
      transport: 'udp' as const,
      srcIp: '127.0.0.1',
      srcPort: 5999,
      dstIp: '127.0.0.1',
      dstPort: 5060,
      now: new Date(),
    };
    assert.throws(() => broken().handle(options(0), ctx), /randomness failed/);
  });

  it('are recorded as internal_error, unanswered, and logged once per interval', async () => {
    const lines: string[] = [];
    const logStream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const { sensor, sink } = await startTestSensor(broken(), {
      log: createLogger('info', logStream),
    });
    const client = createSocket('udp4');
    const answers: Buffer[] = [];
    client.on('message', (m) => answers.push(m));
    try {
      const port = sensor.addresses[0]!.port;
      for (let i = 1; i <= 3; i++) client.send(options(i), port, '127.0.0.1');
      await until(() => sink.events.length === 3);
    } finally {
      client.close();
      await sensor.stop();
    }
    for (const ev of sink.events) {
      assert.equal(ev.event, 'sip.malformed');
      assert.equal(ev.reason, 'internal_error');
      assert.match(ev.excerpt ?? '', /^OPTIONS sip:100@127\.0\.0\.1 SIP\/2\.0/);
      assert.equal(ev.response, null);
    }
    assert.equal(answers.length, 0);
    const logged = lines.filter((l) => l.includes('recorded as internal_error'));
    assert.equal(logged.length, 1, lines.join(''));
    assert.match(logged[0] ?? '', /randomness failed/);
  });
});
