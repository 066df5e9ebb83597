/**
 * @module
 * Writes realistic honeypot logs for the import benchmark: the legacy
 * listener format (Figure 1), our JSON lines, or a packet capture of the
 * same traffic (each request and the sensor's answer as UDP datagrams over
 * raw IPv4), in time order over one year.
 * Mostly REGISTER brute force and enumeration from a few thousand sources,
 * about 1.5% INVITEs in bursts that dial one number with several prefixes
 * (the article's Figure 2), User-Agents from a small set plus a share of
 * absent ones. Deterministic (seeded), streamed to disk in large writes.
 * Never used by the product.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { emptyEvent, type SnareEvent } from '../src/events/catalog.js';
import { formatLegacyLine } from '../src/events/legacy-log.js';
import { ipv4Udp, pcapRecord, rawIpPcapHeader } from '../test/integration/ingest-helpers.js';

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

const SENSOR = [192, 0, 2, 1];
const REASONS: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 486: 'Busy Here' };

/** A request of `ev` (REGISTER or INVITE) and the sensor's answer, as SIP text. */
function sipPair(ev: SnareEvent, i: number): [string, string] {
  const user = ev.from_user ?? '100';
  const ruri = ev.method === 'INVITE' ? `sip:${ev.dialed ?? ''}@192.0.2.1` : 'sip:192.0.2.1';
  const via = `Via: SIP/2.0/UDP ${ev.src_ip}:5060;branch=z9hG4bK${i.toString(36)}`;
  const from = `From: "${user}" <sip:${user}@192.0.2.1>;tag=${(i * 7919).toString(16)}`;
  const to = `To: <${ev.method === 'INVITE' ? ruri : `sip:${user}@192.0.2.1`}>`;
  const common = `${from}\r\n${to}`;
  const callId = `Call-ID: ${i.toString(36)}@${ev.src_ip}\r\nCSeq: 1 ${ev.method ?? ''}`;
  const ua = ev.user_agent === null ? '' : `User-Agent: ${ev.user_agent}\r\n`;
  const req = `${ev.method ?? ''} ${ruri} SIP/2.0\r\n${via};rport\r\n${common}\r\n${callId}\r\n${ua}Content-Length: 0\r\n\r\n`;
  const code = ev.response ?? 401;
  const auth =
    code === 401
      ? `WWW-Authenticate: Digest algorithm=MD5, realm="asterisk", nonce="${(i >>> 0).toString(16).padStart(8, '0')}"\r\n`
      : '';
  const res =
    `SIP/2.0 ${String(code)} ${REASONS[code] ?? 'X'}\r\n${via};received=${ev.src_ip};rport=5060\r\n` +
    `${from}\r\n${to.slice(0, -1)}>;tag=as${(i >>> 0).toString(16).padStart(8, '0')}\r\n${callId}\r\n` +
    `Server: Asterisk PBX 1.6.2.9\r\n${auth}Content-Length: 0\r\n\r\n`;
  return [req, res];
}

/** pcap records (16-byte header + packet) of `ev`'s request and answer. */
function pcapPair(ev: SnareEvent, i: number, tsMs: number): Buffer {
  const src = ev.src_ip.split('.').map(Number);
  const [req, res] = sipPair(ev, i);
  const packets = [
    ipv4Udp(src, 5060, SENSOR, 5060, Buffer.from(req, 'latin1'), i),
    ipv4Udp(SENSOR, 5060, src, 5060, Buffer.from(res, 'latin1'), i),
  ];
  return Buffer.concat(packets.flatMap((pkt) => pcapRecord(pkt, tsMs)));
}

/**
 * Writes `lines` records to `path` as 'legacy' or 'jsonl' lines, or as a
 * 'pcap' of 2 x `lines` packets (each request and its answer).
 */
export function generateLog(
  path: string,
  lines: number,
  format: 'legacy' | 'jsonl' | 'pcap',
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
  let bytes = format === 'pcap' ? writeSync(fd, rawIpPcapHeader()) : 0;
  const packets: Buffer[] = [];
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
    if (format === 'pcap') {
      packets.push(pcapPair(ev, i, start + Math.floor(i * stepMs)));
      if (packets.length >= 4096) bytes += writeSync(fd, Buffer.concat(packets.splice(0)));
      continue;
    }
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
  if (packets.length > 0) bytes += writeSync(fd, Buffer.concat(packets));
  bytes += writeSync(fd, buf);
  closeSync(fd);
  return { lines, invites, bytes };
}
