/**
 * @module
 * `npm run bench -- store-flood`: the resident memory of the live store
 * sink (DuckDB inside the sensor) while it writes a flood from many
 * sources, as shipped against the settings before (a 256 MB bound, no
 * purge of DuckDB's allocator on release). Each round is a process of its
 * own (the peak resident set, VmHWM, only grows): it writes N events from
 * N/3 source addresses (a REGISTER, an OPTIONS and an INVITE to one of
 * twelve countries each; 50,000 user agents) through the sink in batches
 * of its batch size, each committed before the next is queued (a store
 * that keeps up, so every round writes the same rows), then prints its
 * peak and CPU time. Rounds alternate the two settings.
 *
 * usage: npm run bench -- store-flood
 *   BENCH_STORE_EVENTS (150000), BENCH_STORE_ROUNDS (3 of each)
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emptyEvent, type SnareEvent } from '../src/events/catalog.js';
import { EventIdGenerator } from '../src/events/event-id.js';
import { keepHeapNearLive } from '../src/runtime/heap.js';
import {
  openStoreSink,
  SINK_ALLOCATOR_BULK_FLUSH,
  SINK_BATCH_EVENTS,
  SINK_MEMORY_LIMIT,
} from '../src/store/sink.js';

const EVENTS = Number(process.env['BENCH_STORE_EVENTS'] ?? 150_000);
const ROUNDS = Number(process.env['BENCH_STORE_ROUNDS'] ?? 3);
const COUNTRIES = ['44', '49', '33', '39', '34', '7', '86', '91', '234', '880', '972', '92'];
const METHODS = ['REGISTER', 'OPTIONS', 'INVITE'] as const;

interface Setting {
  readonly name: string;
  readonly memoryLimit: string;
  readonly bulkFlush: string;
}
const SETTINGS: readonly Setting[] = [
  { name: 'as shipped', memoryLimit: SINK_MEMORY_LIMIT, bulkFlush: SINK_ALLOCATOR_BULK_FLUSH },
  // DuckDB's own default purge threshold: 512 MiB.
  { name: 'before', memoryLimit: '256MB', bulkFlush: '512MB' },
];

function event(i: number, ids: EventIdGenerator): SnareEvent {
  const n = Math.floor(i / 3);
  const method = METHODS[i % 3] ?? 'REGISTER';
  const user = String(100 + (i % 900));
  const dialed = `00${COUNTRIES[n % COUNTRIES.length] ?? '44'}${200_000_000 + ((i * 7919) % 700_000_000)}`;
  return {
    ...emptyEvent(),
    event: 'sip.request',
    event_id: ids.next(),
    ts: new Date().toISOString(),
    sensor: 'flood',
    transport: 'udp',
    src_ip: `127.${1 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`,
    src_port: 5060,
    dst_ip: '127.0.0.1',
    dst_port: 5060,
    size: 300,
    method,
    ruri: method === 'INVITE' ? `sip:${dialed}@127.0.0.1` : `sip:${user}@127.0.0.1`,
    ruri_user: method === 'INVITE' ? dialed : user,
    from_user: user,
    to_user: method === 'INVITE' ? dialed : user,
    call_id: `c${i}@127.0.0.1`,
    cseq: 1,
    user_agent: `scanner-${i % 50_000}/${(i % 7) + 1}.0`,
    response: method === 'OPTIONS' ? 200 : 401,
    dialed: method === 'INVITE' ? dialed : null,
  };
}

/** One round, in this process: writes EVENTS events and prints its peak (MB) and CPU (s) as JSON. */
async function child(setting: Setting): Promise<void> {
  keepHeapNearLive();
  const dir = mkdtempSync(join(tmpdir(), 'snare-store-flood-'));
  try {
    const sink = await openStoreSink(join(dir, 'store.duckdb'), {
      memoryLimit: setting.memoryLimit,
      allocatorBulkFlush: setting.bulkFlush,
      onError: (err: unknown) => {
        process.stderr.write(`store error: ${(err as Error).message}\n`);
      },
    });
    const ids = new EventIdGenerator();
    for (let i = 0; i < EVENTS; i++) {
      sink.write(event(i, ids));
      if ((i + 1) % SINK_BATCH_EVENTS === 0) await sink.flush();
    }
    await sink.close();
    const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    const cpu = process.cpuUsage();
    process.stdout.write(
      JSON.stringify({ peakMb: Number(hwm) / 1024, cpuS: (cpu.user + cpu.system) / 1e6 }) + '\n',
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function round(setting: Setting): { peakMb: number; cpuS: number } {
  const res = spawnSync(
    process.execPath,
    ['--max-semi-space-size=4', '--import', 'tsx', fileURLToPath(import.meta.url)],
    {
      // As the executable starts `run` (its first lines).
      env: {
        ...process.env,
        BENCH_STORE_CHILD: JSON.stringify(setting),
        MALLOC_ARENA_MAX: '2',
        MALLOC_MMAP_THRESHOLD_: '131072',
        MALLOC_TRIM_THRESHOLD_: '131072',
      },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const line = res.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(line) as { peakMb: number; cpuS: number };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

const childSetting = process.env['BENCH_STORE_CHILD'];
if (childSetting !== undefined) await child(JSON.parse(childSetting) as Setting);
else {
  process.stdout.write(
    `live store sink: ${EVENTS} events from ${Math.ceil(EVENTS / 3)} sources in batches of ${SINK_BATCH_EVENTS}, peak RSS of the writing process\n`,
  );
  const seen = new Map<string, { peak: number[]; cpu: number[] }>();
  for (let r = 0; r < ROUNDS; r++) {
    for (const s of SETTINGS) {
      const { peakMb, cpuS } = round(s);
      const m = seen.get(s.name) ?? { peak: [], cpu: [] };
      m.peak.push(peakMb);
      m.cpu.push(cpuS);
      seen.set(s.name, m);
      process.stdout.write(
        `  ${s.name.padEnd(11)} (${s.memoryLimit}, purge above ${s.bulkFlush}): peak ${peakMb.toFixed(0)} MB, CPU ${cpuS.toFixed(1)} s\n`,
      );
    }
  }
  for (const [name, m] of seen) {
    process.stdout.write(
      `${name.padEnd(11)} median peak ${median(m.peak).toFixed(0)} MB, median CPU ${median(m.cpu).toFixed(1)} s\n`,
    );
  }
}
