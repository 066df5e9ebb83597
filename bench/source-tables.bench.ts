/**
 * @module
 * `npm run bench -- source-tables`: heap bytes per source address of the
 * per-source tables a flood from many addresses fills, each filled apart
 * through its own API with 100,000 distinct addresses (fresh strings, as a
 * datagram's address is): the response budgets, the dashboard's sources
 * seen and callers of the rogue rule, the traffic line's distinct sources.
 * Heap in use plus typed arrays after a full collection, so the figures do
 * not depend on the machine's load.
 */
import { emptyEvent, type SnareEvent } from '../src/events/catalog.js';
import { TrafficCounter } from '../src/runtime/traffic.js';
import { ResponseLimiter } from '../src/sensor/limits.js';
import { CallerCountries, FindingDetector } from '../src/server/findings.js';
import { NumberResolver } from '../src/enrich/phone-number.js';
import { bytesPerItem, heapAfterGc, nthAddress } from '../src/testing/heap.js';

const N = Number(process.env['BENCH_SOURCES'] ?? 100_000);
const COUNTRIES = ['FR', 'DE', 'ES', 'IT', 'NL', 'CH', 'IL', 'SE', 'PL', 'GB', 'US', 'BR'];

function request(ip: string, i: number): SnareEvent {
  return {
    ...emptyEvent(),
    event: 'sip.request',
    method: 'OPTIONS',
    src_ip: ip,
    sensor: 's1',
    transport: 'udp',
    event_id: `e${i}`,
    ts: '2026-01-01T00:00:00.000Z',
  };
}

const rows: [string, () => number][] = [
  [
    'response budgets (max_tracked_sources 65,536)',
    () =>
      bytesPerItem(
        () =>
          new ResponseLimiter({
            perSourcePerS: 10,
            perSourceBurst: 20,
            globalPerS: 1e9,
            maxTrackedSources: 65_536,
          }),
        (l, n) => {
          for (let i = 0; i < n; i++) l.take(nthAddress(i), i);
        },
        N,
      ),
  ],
  [
    'new_source: sources seen (FindingDetector)',
    () =>
      bytesPerItem(
        () => new FindingDetector(),
        (d, n) => {
          for (let i = 0; i < n; i++) d.inspect(request(nthAddress(i), i));
        },
        N,
      ),
  ],
  [
    'callers of the rogue rule, one country each (CallerCountries)',
    () =>
      bytesPerItem(
        () => new CallerCountries(),
        (c, n) => {
          for (let i = 0; i < n; i++) c.add(nthAddress(i), COUNTRIES[i % COUNTRIES.length] ?? null);
        },
        N,
      ),
  ],
  [
    'traffic line: distinct sources (TrafficCounter)',
    () =>
      bytesPerItem(
        () => new TrafficCounter(),
        (t, n) => {
          for (let i = 0; i < n; i++) t.write(request(nthAddress(i), i));
        },
        N,
      ),
  ],
];

/** Dial strings of twelve countries, international prefix 00 (one in the US: 001). */
const DIALS = [
  '0033123456789',
  '0049301234567',
  '0034912345678',
  '0039061234567',
  '0031201234567',
  '0041441234567',
  '00972599123456',
  '0046812345678',
  '0048221234567',
  '00442071234567',
  '0012025550123',
  '005511912345678',
];

/** Heap of a resolver with 2,048 analyses after 10,000 distinct numbers, per analysis kept. */
function perAnalysis(keepSteps: boolean): [number, number] {
  const r = new NumberResolver({ cacheEntries: 2048, keepSteps });
  const before = heapAfterGc();
  for (let i = 0; i < 10_000; i++) {
    const d = DIALS[i % DIALS.length] ?? '';
    r.resolveDialed(d.slice(0, -4) + String(1000 + (i % 9000)));
  }
  const held = heapAfterGc() - before;
  return [held / r.cachedStrings, held];
}

console.log(`${N.toLocaleString('en')} distinct source addresses, heap bytes per source`);
for (const [name, measure] of rows) {
  measure(); // warm up: code and hidden classes
  const runs = [measure(), measure(), measure()].sort((a, b) => a - b);
  console.log(
    `${name}: ${(runs[1] ?? 0).toFixed(1)} B/source (runs ${runs.map((r) => r.toFixed(1)).join(', ')})`,
  );
}

console.log('number analyses (NumberResolver, 2,048 kept, 10,000 distinct numbers offered)');
for (const keepSteps of [true, false]) {
  perAnalysis(keepSteps);
  const runs = [perAnalysis(keepSteps), perAnalysis(keepSteps), perAnalysis(keepSteps)].sort(
    (a, b) => a[0] - b[0],
  );
  const [per, held] = runs[1] ?? [0, 0];
  console.log(
    `keepSteps ${String(keepSteps)}: ${per.toFixed(0)} B an analysis kept, ${(held / 1024 / 1024).toFixed(2)} MB`,
  );
}

/** Heap of the findings' dialed readings after 10,000 INVITEs of distinct numbers, per string kept. */
function perReading(): [number, number] {
  const d = new FindingDetector();
  const invite = (dialed: string): SnareEvent => ({
    ...request('192.0.2.9', 0),
    method: 'INVITE',
    dialed,
  });
  d.inspect(invite(DIALS[0] ?? ''));
  const before = heapAfterGc();
  for (let i = 0; i < 10_000; i++) {
    const dial = DIALS[i % DIALS.length] ?? '';
    d.inspect(invite(dial.slice(0, -4) + String(1000 + (i % 9000))));
  }
  const held = heapAfterGc() - before;
  return [held / d.cachedNumbers, held];
}
perReading();
const readings = [perReading(), perReading(), perReading()].sort((a, b) => a[0] - b[0]);
const [perR, heldR] = readings[1] ?? [0, 0];
console.log(
  `the findings' dialed readings (2,048 kept): ${perR.toFixed(0)} B a string kept, ${(heldR / 1024 / 1024).toFixed(2)} MB`,
);
