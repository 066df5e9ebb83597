/**
 * @module
 * Enrichment throughput: IP table load times (IPv4 eagerly, IPv6 on first
 * use), IP lookups/s, dialed-number resolutions/s (distinct strings,
 * uncached, and cached repeats), bursts/s, and User-Agent classifications/s.
 * Prints one line per figure. Inputs are generated with a seeded PRNG.
 */
import { getCountries, getExampleNumber } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/examples.mobile.json';
import { classifyUserAgent, loadIpLookup, NumberResolver } from '../src/enrich/index.js';
import { REAL_AGENTS, randomStrings } from '../src/enrich/user-agent-samples.js';

let seed = 12345;
function rand(): number {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function line(name: string, value: string): void {
  process.stdout.write(`${name.padEnd(44)} ${value}\n`);
}
function rate(n: number, ms: number): string {
  return `${Math.round((n / ms) * 1000).toLocaleString('en-US')}/s`;
}
function time<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const v = f();
  return [v, performance.now() - t0];
}

// IP lookups.
const t0 = performance.now();
const ip = await loadIpLookup();
line('IP: load IPv4 tables (country + ASN)', `${(performance.now() - t0).toFixed(0)} ms`);
const [, v6ms] = time(() => ip.lookup('2001:4860:4860::8888'));
line('IP: first IPv6 lookup (loads IPv6 tables)', `${v6ms.toFixed(0)} ms`);
const v4 = Array.from({ length: 1_000_000 }, () =>
  [0, 0, 0, 0].map(() => String(Math.floor(rand() * 256))).join('.'),
);
let hits = 0;
const [, v4ms] = time(() => {
  for (const a of v4) if (ip.lookup(a).cc !== null) hits++;
});
line('IP: IPv4 lookups (random addresses)', `${rate(v4.length, v4ms)} (${String(hits)} found)`);
const v6 = Array.from(
  { length: 200_000 },
  () =>
    `2${Math.floor(rand() * 0xfff).toString(16)}:${Math.floor(rand() * 0xffff).toString(16)}::${Math.floor(rand() * 0xffff).toString(16)}`,
);
const [, v6lookMs] = time(() => {
  for (const a of v6) ip.lookup(a);
});
line('IP: IPv6 lookups (random addresses)', rate(v6.length, v6lookMs));

// Dialed numbers: every region's example mobile number with varied tails and prefixes.
const PREFIXES = ['', '+', '00', '011', '0014', '0021', '9', '0', '9011', '000', '810', '0011'];
const dialed: string[] = [];
for (let round = 0; dialed.length < 20_000; round++) {
  for (const region of getCountries()) {
    const ex = getExampleNumber(region, examples);
    if (ex === undefined) continue;
    const digits = ex.number.slice(1, -3) + String(Math.floor(rand() * 1000)).padStart(3, '0');
    dialed.push((PREFIXES[Math.floor(rand() * PREFIXES.length)] ?? '') + digits);
  }
}
const fresh = new NumberResolver();
const [, numMs] = time(() => {
  for (const d of dialed) fresh.resolveDialed(d);
});
line('numbers: resolveDialed, distinct strings', rate(dialed.length, numMs));
const [, cachedMs] = time(() => {
  for (let i = 0; i < 5; i++) for (const d of dialed) fresh.resolveDialed(d);
});
line('numbers: resolveDialed, cached repeats', rate(dialed.length * 5, cachedMs));
const bursts: string[][] = [];
for (let i = 0; i + 5 <= dialed.length; i += 5) bursts.push(dialed.slice(i, i + 5));
const burstResolver = new NumberResolver();
const [, burstMs] = time(() => {
  for (const b of bursts) burstResolver.resolveBurst(b);
});
line('numbers: resolveBurst (5 strings, uncached)', `${rate(bursts.length, burstMs)} bursts`);

// User agents: real agents and random 20-character ones.
const uas = [...REAL_AGENTS, ...randomStrings(REAL_AGENTS.length, 20, 7)];
const n = 200_000;
classifyUserAgent('warm-up');
const [, uaMs] = time(() => {
  for (let i = 0; i < n; i++) classifyUserAgent(uas[i % uas.length] ?? null);
});
line('user agents: classifyUserAgent', rate(n, uaMs));
