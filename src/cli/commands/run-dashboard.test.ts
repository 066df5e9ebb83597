/**
 * `sipsnare run`'s /metrics shows what a real sensor lost: a flood of
 * OPTIONS from one source while the sensor's thread is busy makes the I/O
 * thread (and the kernel) drop datagrams, and a one-answer-per-second
 * budget refuses most answers. /metrics reports the sensor's own counters
 * (Sensor.drops) and the refusals the sensor recorded.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../config/load.js';
import type { SnareEvent } from '../../events/catalog.js';
import { silentLogger } from '../../log.js';
import { startRuntime, type Runtime } from '../../runtime/runtime.js';
import { until } from '../../testing/until.js';
import { dashboardService } from './run-dashboard.js';

const FLOOD = 20_000;

function options(i: number): Buffer {
  return Buffer.from(
    `OPTIONS sip:100@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-m${i}\r\n` +
      `From: <sip:probe@127.0.0.1>;tag=m${i}\r\nTo: <sip:100@127.0.0.1>\r\nCall-ID: metrics-${i}\r\n` +
      'CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
  );
}

/** The value of one sample of the Prometheus text `text`, or null. */
function sample(text: string, name: string, labels: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? null : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe(
  "the dashboard of sipsnare run: the sensor's drops in /metrics",
  { timeout: 120_000 },
  () => {
    let dir = '';
    let runtime: Runtime | null = null;
    let url = '';
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'snare-run-metrics-'));
      const config = loadConfig({
        flags: {
          listen: ['udp://127.0.0.1:0'],
          'events.jsonl': join(dir, 'events'),
          'store.db': join(dir, 'store.duckdb'),
          'http.listen': '127.0.0.1:0',
          'limits.responses_per_source_per_s': 1,
          'limits.responses_per_source_burst': 1,
          sensor_id: 'metrics01',
        },
      });
      const stdout = new PassThrough();
      stdout.on('data', (b: Buffer) => {
        const m = /sipsnare dashboard: (\S+)/.exec(b.toString());
        if (m?.[1]) url = m[1];
      });
      const io = { stdout, stderr: new PassThrough(), stopSignal: new AbortController().signal };
      runtime = await startRuntime({
        config,
        log: silentLogger(),
        services: [dashboardService(config, silentLogger(), io)],
      });
      await until(() => url !== '');
    });
    after(async () => {
      await runtime?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it('reports Sensor.drops by place and the budget refusals', async () => {
      const rt = runtime;
      assert.ok(rt?.sensor);
      const port = rt.sensor.addresses[0]?.port ?? 0;
      // The sensor's thread sleeps 300 ms on the first message: the I/O thread
      // reads the flood meanwhile and drops what exceeds its bound.
      let first = true;
      const unsubscribe = rt.subscribe(() => {
        if (!first) return;
        first = false;
        const end = Date.now() + 300;
        while (Date.now() < end);
      });
      const client = createSocket('udp4');
      try {
        for (let i = 0; i < FLOOD; i++) client.send(options(i), port, '127.0.0.1');
        const lost = (): number =>
          (rt.sensor?.drops.io_thread ?? 0) + (rt.sensor?.drops.kernel ?? 0);
        const handled = (): number => rt.sensor?.counts.get('sip.request') ?? 0;
        await until(() => handled() + lost() === FLOOD, 60_000);
        await until(() => (rt.sensor?.counts.get('sensor.rate_limited') ?? 0) > 0, 10_000);
      } finally {
        unsubscribe();
        client.close();
      }
      const res = await fetch(new URL('/metrics', url));
      assert.equal(res.status, 200);
      const text = await res.text();
      const drops = rt.sensor.drops;
      assert.ok(drops.io_thread + drops.kernel > 0, 'the flood lost datagrams');
      for (const where of ['kernel', 'io_thread', 'event_lines', 'replies'] as const) {
        assert.equal(sample(text, 'sipsnare_dropped', `where="${where}"`), drops[where], where);
      }
      assert.equal(sample(text, 'sipsnare_dropped', 'where="store_queue"'), 0);

      // Refusals: as many as the sensor.rate_limited events say, once they are on disk.
      await rt.stop();
      const events = readdirSync(join(dir, 'events')).flatMap((f) =>
        readFileSync(join(dir, 'events', f), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as SnareEvent),
      );
      const refusedBefore = (reason: string): number =>
        events
          .filter((e) => e.event === 'sensor.rate_limited' && e.reason === reason)
          .reduce((n, e) => n + (e.dropped ?? 0), 0);
      const scraped = sample(text, 'sipsnare_budget_refusals_total', 'budget="source_rate"') ?? 0;
      assert.ok(scraped > 0, 'refusals counted');
      assert.ok(
        scraped <= refusedBefore('source_rate'),
        `${scraped} of ${refusedBefore('source_rate')}`,
      );
      const dropped = events.filter((e) => e.event === 'sensor.dropped');
      assert.equal(
        dropped.reduce((n, e) => n + (e.dropped ?? 0), 0),
        drops.io_thread + drops.kernel + drops.event_lines,
        'the scraped drops are those the sensor recorded as sensor.dropped events',
      );
    });
  },
);
