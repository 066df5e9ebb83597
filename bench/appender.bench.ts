/**
 * @module
 * The JSON-lines appender (src/events/file-appender.ts) at full speed:
 * lines of about 700 bytes appended in bursts of 1,000, the event loop let
 * run between bursts (as the sensor's reads do), to a file in a temporary
 * directory, on the JSON-lines sink's settings (batchBytes, maxPendingBytes).
 * Prints per pass the CPU time (user + system, the thread pool's writes
 * included) per line, and the array buffers above those before the pass,
 * at their peak (sampled after each burst) and after a full collection,
 * with the appender's largest backlog. Run with `--expose-gc` for the last
 * figure: `node --expose-gc --import tsx bench/appender.bench.ts`.
 *
 * BENCH_APPENDER_RATE paces the lines (lines per second, on a 1 ms timer)
 * instead: a flood as the sensor writes it (15,000 msgs/s is some 10 MB/s
 * of lines); the disk's latency then sets the backlog.
 * BENCH_APPENDER_NULL=1 writes to the null device instead (the
 * appender's own CPU, no disk: a disk that lags makes it drop lines,
 * which cost less than written ones).
 * BENCH_APPENDER_BURST (default 1,000) sets the lines of a burst;
 * BENCH_APPENDER_LINES (default 200,000) the lines per pass,
 * BENCH_APPENDER_PASSES (default 3) the passes; BENCH_APPENDER_MODULE
 * names another copy of the module to measure instead (an A/B against an
 * older version).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { devNull, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldLoop, setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { DEFAULT_BATCH_BYTES, MAX_PENDING_BYTES } from '../src/events/jsonl.js';
import type { FileAppender as Appender } from '../src/events/file-appender.js';

const LINES = Number(process.env['BENCH_APPENDER_LINES'] ?? 200_000);
const PASSES = Number(process.env['BENCH_APPENDER_PASSES'] ?? 3);
const RATE = Number(process.env['BENCH_APPENDER_RATE'] ?? 0);
const BURST = Number(process.env['BENCH_APPENDER_BURST'] ?? 1000);
const other = process.env['BENCH_APPENDER_MODULE'];
const toNull = process.env['BENCH_APPENDER_NULL'] === '1';
const mod = (await import(
  other === undefined ? '../src/events/file-appender.js' : pathToFileURL(other).href
)) as { FileAppender: typeof Appender };

const gc = (globalThis as { gc?: () => void }).gc;
const mb = (n: number) => (n / (1024 * 1024)).toFixed(1);

/** About the size of a sensor's event line (a REGISTER with its headers). */
function line(i: number): string {
  return (
    JSON.stringify({
      event: 'sip.request',
      event_id: `01HZX${String(i).padStart(21, '0')}`,
      ts: new Date(1_700_000_000_000 + i).toISOString(),
      sensor: 'hp01',
      transport: 'udp',
      src_ip: `192.0.2.${String(i % 250)}`,
      src_port: 5060 + (i % 100),
      method: 'REGISTER',
      user: String(100 + (i % 900)),
      call_id: `${String(i)}-${'c'.repeat(32)}`,
      user_agent: 'friendly-scanner',
      headers: 'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK'.padEnd(420, 'x'),
    }) + '\n'
  );
}

const lines = Array.from({ length: 4096 }, (_, i) => line(i));
const dir = mkdtempSync(join(tmpdir(), 'snare-appender-bench-'));
try {
  for (let pass = 0; pass < PASSES; pass++) {
    const path = toNull ? devNull : join(dir, `events-${String(pass)}.jsonl`);
    const out = new mod.FileAppender({
      flushIntervalMs: 50,
      batchBytes: DEFAULT_BATCH_BYTES,
      maxPendingBytes: MAX_PENDING_BYTES,
    });
    gc?.();
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0;
    let backlog = 0;
    const cpu0 = process.cpuUsage();
    let bufs = 0;
    const t0 = performance.now();
    for (let i = 0; i < LINES;) {
      const upTo =
        RATE > 0
          ? Math.min(LINES, Math.floor(((performance.now() - t0) * RATE) / 1000))
          : Math.min(LINES, i + BURST);
      for (; i < upTo; i++) out.append(path, lines[i % lines.length] ?? '');
      backlog = Math.max(backlog, out.backlog);
      bufs = Math.max(bufs, (out as { bufferBytes?: number }).bufferBytes ?? 0);
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
      await (RATE > 0 ? sleep(1) : yieldLoop());
    }
    await out.flush();
    const cpu = process.cpuUsage(cpu0);
    const held = process.memoryUsage().arrayBuffers - base;
    gc?.();
    const live = process.memoryUsage().arrayBuffers - base;
    await out.close();
    const us = (cpu.user + cpu.system) / LINES;
    process.stdout.write(
      `pass ${String(pass + 1)}: ${us.toFixed(3)} µs CPU/line, array buffers peak +${mb(peak)} MB, ` +
        `after flush +${mb(held)} MB (+${gc ? mb(live) : '?'} MB after gc), largest backlog ${mb(backlog)} MB, buffers held at most ${mb(bufs)} MB, ` +
        `dropped ${String(out.dropped)}\n`,
    );
    if (!toNull) rmSync(path);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
