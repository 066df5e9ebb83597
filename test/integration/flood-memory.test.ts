/**
 * `sipsnare run` (what `npm start` runs: sensor, embedded store, dashboard)
 * under a UDP flood keeps its memory bounded: the peak resident set of the
 * whole process (VmHWM), store included, while it is flooded for 10 s with
 * OPTIONS and REGISTER, every one answered (budgets raised), and while it
 * catches up afterwards. Started as installed, the executable with the
 * flags and environment of its first lines. A quiet machine takes the
 * process higher than a loaded one: the sensor then reads and answers more
 * of the flood, and holds more of it at once.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { paced, procStatusMb, startFloodedRun } from './flooded-run.js';

const RATE = 20_000;
const FLOOD_MS = 10_000;
/** After the flood: the sensor works off what it read, the store writes its last batches. */
const SETTLE_MS = 4_000;
/**
 * The bound asserted: a regression guard, a little above the 300 MB aim
 * because a quiet Intel Xeon machine has taken this flood some 60 MB
 * higher than a quiet AMD EPYC one with the same code. This flood took the
 * process to 615 MB before the first memory fixes, to 515-522 MB before
 * the second round (254f661), to 365-373 MB on the quiet Xeon before the
 * third (6d0a887) and 335-343 MB after it; on a quiet 2-core AMD EPYC
 * machine to 268-283 MB before the fourth round (3d567fd: compact
 * per-source and per-transaction tables, the appender's 1 MiB buffers,
 * the live store's DuckDB within 128 MB with its allocator purged on
 * release; docs/benchmarks.md) and 228-231 MB after it. The code before
 * the third round also fails the check of the executable's settings below.
 */
const LIMIT_MB = 320;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function message(i: number, port: number): Buffer {
  const method = i % 2 === 0 ? 'OPTIONS' : 'REGISTER';
  const user = 100 + (i % 900);
  return Buffer.from(
    `${method} sip:127.0.0.1 SIP/2.0\r\n` +
      `Via: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bK-${i}-f\r\n` +
      `Max-Forwards: 70\r\n` +
      `From: "${user}" <sip:${user}@127.0.0.1>;tag=t${i}\r\n` +
      `To: "${user}" <sip:${user}@127.0.0.1>\r\n` +
      `Call-ID: flood-${i}-${port}@127.0.0.1\r\n` +
      `CSeq: 1 ${method}\r\n` +
      `Contact: <sip:${user}@127.0.0.1:${port}>\r\n` +
      `User-Agent: friendly-scanner\r\n` +
      `Content-Length: 0\r\n\r\n`,
  );
}

/** Sends RATE messages/s for FLOOD_MS from four ports, paced by a 1 ms timer; returns the count. */
async function flood(port: number): Promise<number> {
  const sockets: Socket[] = [];
  for (let i = 0; i < 4; i++) {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    s.on('message', () => undefined);
    s.on('error', () => undefined);
    sockets.push(s);
  }
  const pool = Array.from({ length: 4000 }, (_, i) =>
    message(i, sockets[i % 4]?.address().port ?? 0),
  );
  const sent = await paced((RATE * FLOOD_MS) / 1000, RATE, FLOOD_MS, (i) => {
    const m = pool[i % pool.length];
    // A fresh Call-ID each lap of the pool: every message opens a new transaction.
    if (m) sockets[i % 4]?.send(m, port, '127.0.0.1');
  });
  for (const s of sockets) s.close();
  return sent;
}

describe('sipsnare run under a UDP flood', () => {
  it(`stays under ${LIMIT_MB} MB of resident memory, store included`, async (t) => {
    const run = await startFloodedRun();
    const { pid, port } = run;
    try {
      // Started as installed: the first lines of the executable set these for `run`.
      const environ = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
      assert.ok(environ.includes('MALLOC_MMAP_THRESHOLD_=131072'), 'the C allocator setting');
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');
      assert.ok(
        argv.includes('--max-semi-space-size=4'),
        `V8's young generation: ${argv.join(' ')}`,
      );
      const idle = procStatusMb(pid, 'VmRSS');
      const sent = await flood(port);
      await sleep(SETTLE_MS);
      const peak = run.peak();
      t.diagnostic(`idle ${idle.toFixed(0)} MB, peak ${peak.toFixed(0)} MB, ${sent} messages sent`);
      assert.ok(
        run.child.exitCode === null,
        `the process survived the flood: ${run.stderr().slice(-2000)}`,
      );
      assert.ok(
        peak < LIMIT_MB,
        `peak RSS ${peak.toFixed(0)} MB (idle ${idle.toFixed(0)} MB) under ${sent} messages in ${FLOOD_MS / 1000} s`,
      );
    } finally {
      await run.stop();
    }
  });
});
