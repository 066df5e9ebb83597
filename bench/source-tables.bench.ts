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
import { bytesPerItem, nthAddress } from '../src/testing/heap.js';

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

console.log(`${N.toLocaleString('en')} distinct source addresses, heap bytes per source`);
for (const [name, measure] of rows) {
  measure(); // warm up: code and hidden classes
  const runs = [measure(), measure(), measure()].sort((a, b) => a - b);
  console.log(
    `${name}: ${(runs[1] ?? 0).toFixed(1)} B/source (runs ${runs.map((r) => r.toFixed(1)).join(', ')})`,
  );
}
