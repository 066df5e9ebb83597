/**
 * @module
 * Writes realistic honeypot logs for the import benchmark: the legacy
 * listener format (Figure 1) or our JSON lines, in time order over one year.
 * Mostly REGISTER brute force and enumeration from a few thousand sources,
 * about 1.5% INVITEs in bursts that dial one number with several prefixes
 * (the article's Figure 2), User-Agents from a small set plus a share of
 * absent ones. Deterministic (seeded), streamed to disk in large writes.
 * Never used by the product.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { emptyEvent, type SnareEvent } from '../src/events/catalog.js';
import { formatLegacyLine } from '../src/events/legacy-log.js';

const UAS = [
  'friendly-scanner',
  'friendly-scanner',
  'friendly-scanner',
  'sipcli/v1.8',
  'VaxSIPUserAgent/3.1',
  'Zoiper rev.6751',
  'sipsak 0.9.6',
  '',
];
const PREFIXES = ['00', '000', '0014', '00014', '0015', '0021', '9', '011', '900', ''];
const NUMBERS = [
  '972598285108',
  '442037690237',
  '37066123456',
  '8613800138000',
  '2348031234567',
  '16175551234',
  '33612345678',
  '5511987654321',
];

/** Small fast PRNG (mulberry32), so runs are reproducible. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface GenStats {
  readonly lines: number;
  readonly invites: number;
  readonly bytes: number;
}

/** Writes `lines` records to `path` as 'legacy' or 'jsonl'. */
export function generateLog(
  path: string,
  lines: number,
  format: 'legacy' | 'jsonl',
  seed = 7,
): GenStats {
  const rand = rng(seed);
  const ips = Array.from(
    { length: 4000 },
    (_, i) => `${1 + (i % 223)}.${(i * 7) % 256}.${(i * 13) % 256}.${((i * 31) % 254) + 1}`,
  );
  const fd = openSync(path, 'w');
  const start = Date.UTC(2011, 0, 1);
  const stepMs = (365 * 86400_000) / lines;
  let buf = '';
  let bytes = 0;
  let invites = 0;
  let burst = 0;
  let burstIp = '';
  let burstNumber = '';
  const ev: SnareEvent = {
    ...emptyEvent(),
    event: 'sip.request',
    sensor: 'bench',
    transport: 'udp',
  };
  for (let i = 0; i < lines; i++) {
    const ts = new Date(start + Math.floor(i * stepMs)).toISOString();
    if (burst === 0 && rand() < 0.0015) {
      burst = 5 + Math.floor(rand() * 15);
      burstIp = ips[Math.floor(rand() * ips.length)] ?? '';
      burstNumber = NUMBERS[Math.floor(rand() * NUMBERS.length)] ?? '';
    }
    const ua = UAS[Math.floor(rand() * UAS.length)] ?? '';
    if (burst > 0) {
      burst--;
      invites++;
      const dialed = (PREFIXES[Math.floor(rand() * PREFIXES.length)] ?? '') + burstNumber;
      Object.assign(ev, {
        method: 'INVITE',
        src_ip: burstIp,
        from_user: '100',
        to_user: dialed,
        dialed,
        ruri_user: dialed,
        response: 486,
        user_agent: ua === '' ? null : ua,
      });
    } else {
      const user = String(100 + Math.floor(rand() * 9000));
      Object.assign(ev, {
        method: 'REGISTER',
        src_ip: ips[Math.floor(rand() * ips.length)] ?? '',
        from_user: user,
        to_user: user,
        dialed: null,
        ruri_user: user,
        response: rand() < 0.7 ? 401 : 403,
        user_agent: ua === '' ? null : ua,
      });
    }
    ev.ts = ts;
    if (format === 'legacy') buf += formatLegacyLine(ev, 4429) ?? '';
    else {
      ev.event_id = `bench-${String(i)}`;
      buf += JSON.stringify(ev) + '\n';
    }
    if (buf.length > 1 << 20) {
      bytes += writeSync(fd, buf);
      buf = '';
    }
  }
  bytes += writeSync(fd, buf);
  closeSync(fd);
  return { lines, invites, bytes };
}
