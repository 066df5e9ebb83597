/**
 * @module
 * The sensor's per-message cost without the network: the messages of the
 * UDP benchmark (bench/udp-messages.ts) go straight into the sensor runtime
 * (persona, limits, retransmission table, event stamping, JSON-lines sink to
 * a temporary directory), with every INVITE's final answer ACKed as the load
 * generator does. Prints microseconds of CPU time (user + system: steadier than wall time on a
 * shared machine) per message (ACKs
 * included), median of several passes, and the share of time in GC.
 *
 * usage: npm run bench -- persona     (BENCH_PERSONA_MESSAGES=200000 to change the pass size)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { defaultConfig } from '../src/config/defaults.js';
import type { SensorConfig } from '../src/config/types.js';
import { JsonlSink } from '../src/events/jsonl.js';
import { cryptoRandom } from '../src/sensor/index.js';
import { createAsteriskPersona } from '../src/sensor/persona/index.js';
import { Sensor } from '../src/sensor/sensor.js';
import type { InboundMessage } from '../src/sensor/transport/types.js';
import { ackFor, message } from './udp-messages.js';

const PER_PASS = Number(process.env['BENCH_PERSONA_MESSAGES'] ?? 100_000);
const PASSES = Number(process.env['BENCH_PERSONA_PASSES'] ?? 5);
const SOURCES = 8;
const POOL = 40_000;

/** A sensor with no listener whose message handler the bench feeds directly. */
async function startBenchSensor(dir: string): Promise<{
  sensor: Sensor;
  sink: JsonlSink;
  feed: { onMessage(m: InboundMessage): void };
}> {
  const base = defaultConfig();
  const big = 10_000_000;
  const config: SensorConfig = {
    ...base,
    sensor_id: 'bench',
    listen: [],
    events: { ...base.events, jsonl: join(dir, 'ev') },
    limits: {
      ...base.limits,
      responses_per_source_per_s: big,
      responses_per_source_burst: big,
      responses_global_per_s: big,
    },
  };
  const sink = new JsonlSink({ dir: join(dir, 'ev'), rotateBytes: config.events.rotate_bytes });
  const persona = createAsteriskPersona(config, { random: cryptoRandom() });
  const sensor = await Sensor.start({ config, persona, sink });
  // The listeners' entry point (private): what a transport calls for each message.
  const feed = (sensor as unknown as { handler: { onMessage(m: InboundMessage): void } }).handler;
  return { sensor, sink, feed };
}

/** Median µs per message and GC share of the passes, printed as one line. */
function printResult(results: readonly { usPerMsg: number; gcShare: number }[]): void {
  const us = results.map((r) => r.usPerMsg).sort((a, b) => a - b);
  const med = us[Math.floor(us.length / 2)] ?? NaN;
  const gc = results.map((r) => r.gcShare).sort((a, b) => a - b)[Math.floor(results.length / 2)];
  process.stdout.write(
    `persona pipeline: ${med.toFixed(1)} µs per message (median of ${PASSES} passes of ${PER_PASS}; ` +
      `passes ${us.map((x) => x.toFixed(1)).join(', ')}), ~${Math.round(1e6 / med)} msgs/s on one core, ` +
      `GC ${Math.round((gc ?? 0) * 100)} % of the wall time, RSS ${Math.round(process.memoryUsage().rss / 2 ** 20)} MB\n`,
  );
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'snare-persona-bench-'));
  const { sensor, sink, feed } = await startBenchSensor(dir);
  const ports = Array.from({ length: SOURCES }, (_, i) => 40000 + i);
  const pool = Array.from({ length: POOL }, (_, i) => message(i, ports[i % SOURCES] ?? 0));
  const acks: { bytes: Buffer; port: number }[] = [];

  const deliver = (bytes: Buffer, srcPort: number): void => {
    feed.onMessage({
      transport: 'udp',
      srcIp: '127.0.0.1',
      srcPort,
      dstIp: '127.0.0.1',
      dstPort: 5060,
      bytes,
      reply(data: Buffer) {
        const ack = ackFor(data);
        if (ack) acks.push({ bytes: ack, port: srcPort });
      },
    });
  };

  let gcMs = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  });
  obs.observe({ entryTypes: ['gc'] });

  let next = 0;
  const pass = async (): Promise<{ usPerMsg: number; gcShare: number }> => {
    gcMs = 0;
    let delivered = 0;
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    // Batches of 1000, yielding between them so timers and the sink's flush run as in the sensor.
    while (delivered < PER_PASS) {
      for (let k = 0; k < 1000; k++) {
        const i = next++;
        deliver(pool[i % POOL] ?? Buffer.alloc(0), ports[i % SOURCES] ?? 0);
        delivered++;
      }
      for (const a of acks.splice(0)) {
        deliver(a.bytes, a.port);
        delivered++;
      }
      await new Promise((r) => setImmediate(r));
    }
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    await new Promise((r) => setTimeout(r, 20)); // let GC entries arrive
    return { usPerMsg: (cpu.user + cpu.system) / delivered, gcShare: gcMs / ms };
  };

  await pass(); // warm-up
  const results = [];
  for (let p = 0; p < PASSES; p++) results.push(await pass());
  obs.disconnect();
  await sensor.stop();
  await sink.close();
  rmSync(dir, { recursive: true, force: true });
  printResult(results);
}

await main();
