/**
 * The durability promise (docs/security.md): no message the sensor answered
 * is missing from the JSON lines after a SIGKILL. A client keeps a window of
 * OPTIONS in flight over UDP (and TCP), and the sensor is killed the moment
 * the client holds a few thousand answers: every answered Call-ID must be in
 * the files. Replies used to leave before their line was written (up to one
 * 50 ms flush interval), so the last answers were missing.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { startSensorProcess, type SensorProcess } from './sensor-process.js';

const ANSWERS_BEFORE_KILL = 3000;
const WINDOW = 64;

function options(port: number, transport: string, i: number): string {
  return [
    `OPTIONS sip:100@127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/${transport} 127.0.0.1:9;branch=z9hG4bK-kill-${i};rport`,
    'Max-Forwards: 70',
    `From: <sip:100@127.0.0.1>;tag=k${i}`,
    'To: <sip:100@127.0.0.1>',
    `Call-ID: kill-${i}`,
    `CSeq: 1 OPTIONS`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

const CALL_ID_RE = /\r\nCall-ID: (kill-\d+)\r\n/g;

/** Call-IDs of every line of the event files that parses (a torn last line would not). */
function recordedCallIds(sensor: SensorProcess): Set<string> {
  const dir = join(sensor.dir, 'events');
  const ids = new Set<string>();
  for (const f of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      try {
        const ev = JSON.parse(line) as { call_id?: string | null };
        if (ev.call_id) ids.add(ev.call_id);
      } catch {
        // not a whole line
      }
    }
  }
  return ids;
}

function killed(sensor: SensorProcess): Promise<void> {
  return new Promise((resolve) => {
    if (sensor.child.exitCode !== null || sensor.child.signalCode !== null) resolve();
    else
      sensor.child.once('exit', () => {
        resolve();
      });
  });
}

const LIMITS = {
  limits: {
    responses_per_source_per_s: 1_000_000,
    responses_per_source_burst: 1_000_000,
    responses_global_per_s: 1_000_000,
  },
};

describe('a SIGKILL loses no answered message', { timeout: 60000 }, () => {
  it('over UDP', async () => {
    const sensor = await startSensorProcess(LIMITS);
    try {
      const sock = createSocket('udp4');
      await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
      const answered = new Set<string>();
      let next = 0;
      const send = (): void => {
        sock.send(options(sensor.port, 'UDP', next++), sensor.port, '127.0.0.1');
      };
      const done = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error('too few answers'));
        }, 30000);
        sock.on('message', (data) => {
          if (answered.size >= ANSWERS_BEFORE_KILL) return;
          for (const m of data.toString('latin1').matchAll(CALL_ID_RE)) answered.add(m[1] ?? '');
          if (answered.size >= ANSWERS_BEFORE_KILL) {
            sensor.child.kill('SIGKILL');
            clearTimeout(timer);
            resolve();
          } else send();
        });
      });
      // Lost datagrams are resent, so the window never empties.
      const refill = setInterval(() => {
        for (let i = 0; i < WINDOW; i++) send();
      }, 200);
      for (let i = 0; i < WINDOW; i++) send();
      await done.finally(() => {
        clearInterval(refill);
      });
      await killed(sensor);
      sock.close();
      const recorded = recordedCallIds(sensor);
      const missing = [...answered].filter((id) => !recorded.has(id));
      assert.deepEqual(
        missing,
        [],
        `${missing.length} of ${answered.size} answered messages missing`,
      );
    } finally {
      await sensor.cleanup();
    }
  });

  it('over TCP', async () => {
    const sensor = await startSensorProcess(LIMITS);
    try {
      const conn = connect(sensor.port, '127.0.0.1');
      conn.on('error', () => undefined);
      await new Promise<void>((r) => conn.once('connect', r));
      const answered = new Set<string>();
      let next = 0;
      const send = (): void => {
        conn.write(options(sensor.port, 'TCP', next++));
      };
      let text = '';
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error('too few answers'));
        }, 30000);
        conn.on('data', (data: Buffer) => {
          if (answered.size >= ANSWERS_BEFORE_KILL) return;
          text += data.toString('latin1');
          const cut = text.lastIndexOf('\r\n\r\n');
          if (cut < 0) return;
          for (const m of text.slice(0, cut + 2).matchAll(CALL_ID_RE)) {
            answered.add(m[1] ?? '');
            send();
          }
          text = text.slice(cut + 4);
          if (answered.size >= ANSWERS_BEFORE_KILL) {
            sensor.child.kill('SIGKILL');
            clearTimeout(timer);
            resolve();
          }
        });
        for (let i = 0; i < WINDOW; i++) send();
      });
      await killed(sensor);
      conn.destroy();
      const recorded = recordedCallIds(sensor);
      const missing = [...answered].filter((id) => !recorded.has(id));
      assert.deepEqual(
        missing,
        [],
        `${missing.length} of ${answered.size} answered messages missing`,
      );
    } finally {
      await sensor.cleanup();
    }
  });
});
