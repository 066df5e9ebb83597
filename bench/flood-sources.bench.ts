/**
 * @module
 * Memory of `sipsnare run` (sensor, embedded store, dashboard) under a UDP
 * flood from many source addresses, against the same flood from one. All
 * of 127.0.0.0/8 is routed to the loopback interface: a socket bound to
 * 127.1.x.y sends from that address. Each address sends a REGISTER, an
 * OPTIONS and an INVITE (to a number of one of twelve countries, with one
 * of 50,000 user agents), then its socket is closed and the next address
 * bound, SLOTS sockets at a time. Every per-source table (response budgets,
 * dialogs, the dashboard's findings, the traffic line's count, the store's
 * dimensions and rollups) sees a new key with every third message. Rounds
 * alternate one address and many; each prints the peak resident set of the
 * whole process (VmHWM) against the 300 MB aim. The executable is started
 * as installed (its first lines set the allocator). Every response budget
 * is raised so every message is answered, for both.
 *
 * usage: npm run bench -- flood-sources
 *   BENCH_FLOOD_RATE (15000 msgs/s), BENCH_FLOOD_MS (20000), BENCH_FLOOD_ROUNDS (2 of each),
 *   BENCH_FLOOD_STORE=0 (no store)
 */
import { createSocket, type Socket } from 'node:dgram';
import { paced, procStatusMb, startFloodedRun } from '../test/integration/flooded-run.js';

const RATE = Number(process.env['BENCH_FLOOD_RATE'] ?? 15_000);
const FLOOD_MS = Number(process.env['BENCH_FLOOD_MS'] ?? 20_000);
const ROUNDS = Number(process.env['BENCH_FLOOD_ROUNDS'] ?? 2);
const WITH_STORE = process.env['BENCH_FLOOD_STORE'] !== '0';
/** Messages sent from one address before its socket is closed and the next address bound. */
const PER_ADDRESS = 3;
/** Sockets open at once, each bound to its own address. */
const SLOTS = 64;
const SETTLE_MS = 4_000;
/** The aim of issue 14: the whole process under 300 MB on defaults, whatever the flood. */
const TARGET_MB = 300;

/** Country codes of the numbers dialed: a spread of regions, as toll fraud dials. */
const COUNTRIES = ['44', '49', '33', '39', '34', '7', '86', '91', '234', '880', '972', '92'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The n-th source address: 127.1.0.1 upwards, skipping host parts 0 and 255. */
function sourceAddress(n: number): string {
  const host = (n % 254) + 1;
  const rest = Math.floor(n / 254);
  return `127.${1 + Math.floor(rest / 256)}.${rest % 256}.${host}`;
}

function message(i: number, kind: number, src: string, port: number): Buffer {
  const method = kind === 0 ? 'REGISTER' : kind === 1 ? 'OPTIONS' : 'INVITE';
  const user = 100 + (i % 900);
  const cc = COUNTRIES[i % COUNTRIES.length] ?? '44';
  const dialed = `00${cc}${String(200_000_000 + ((i * 7919) % 700_000_000))}`;
  const ruri = method === 'INVITE' ? `sip:${dialed}@127.0.0.1` : `sip:${user}@127.0.0.1`;
  return Buffer.from(
    `${method} ${ruri} SIP/2.0\r\n` +
      `Via: SIP/2.0/UDP ${src}:${port};branch=z9hG4bK-${i}-s\r\n` +
      `Max-Forwards: 70\r\n` +
      `From: "${user}" <sip:${user}@${src}>;tag=t${i}\r\n` +
      `To: <${ruri}>\r\n` +
      `Call-ID: many-${i}@${src}\r\n` +
      `CSeq: 1 ${method}\r\n` +
      `Contact: <sip:${user}@${src}:${port}>\r\n` +
      `User-Agent: scanner-${i % 50_000}/${(i % 7) + 1}.0\r\n` +
      `Content-Length: 0\r\n\r\n`,
  );
}

/**
 * Sends RATE messages/s for FLOOD_MS, PER_ADDRESS from each address in
 * turn over SLOTS sockets; returns the messages and addresses used.
 */
async function flood(port: number, addresses: number): Promise<{ sent: number; sources: number }> {
  let next = 0;
  const open = (): { s: Socket; src: string; used: number } => {
    const src = sourceAddress(next++ % addresses);
    const s = createSocket('udp4');
    s.on('message', () => undefined);
    s.on('error', () => undefined);
    // Sends issued before the bind completes are queued by Node.
    s.bind(0, src);
    return { s, src, used: 0 };
  };
  const slots = Array.from({ length: SLOTS }, open);
  const sent = await paced((RATE * FLOOD_MS) / 1000, RATE, FLOOD_MS, (i) => {
    const k = i % SLOTS;
    let slot = slots[k];
    if (slot === undefined) return;
    if (slot.used >= PER_ADDRESS) {
      slot.s.close();
      slot = open();
      slots[k] = slot;
    }
    slot.s.send(message(i, slot.used, slot.src, port), port, '127.0.0.1');
    slot.used++;
  });
  await sleep(100);
  for (const slot of slots) slot.s.close();
  return { sent, sources: Math.min(next, addresses) };
}

/** One `sipsnare run` flooded from `addresses` addresses; prints and returns its peak RSS. */
async function round(addresses: number): Promise<number> {
  const run = await startFloodedRun({ store: WITH_STORE });
  const { pid, port } = run;
  try {
    const idle = procStatusMb(pid, 'VmRSS');
    const { sent, sources } = await flood(port, addresses);
    await sleep(SETTLE_MS);
    const peak = run.peak();
    const verdict = peak < TARGET_MB ? 'under' : 'OVER';
    const died = run.child.exitCode === null ? '' : ', the process died';
    process.stdout.write(
      `${String(sources).padStart(6)} address(es): idle ${idle.toFixed(0)} MB, peak ${peak.toFixed(0)} MB (${verdict} the ${TARGET_MB} MB target), ${sent} messages in ${FLOOD_MS / 1000} s${died}\n`,
    );
    return peak;
  } finally {
    await run.stop();
  }
}

const many = Math.ceil((RATE * FLOOD_MS) / 1000 / PER_ADDRESS);
process.stdout.write(
  `sipsnare run, ${RATE} msgs/s for ${FLOOD_MS / 1000} s, ${WITH_STORE ? 'store on' : 'no store'}, one address against ${many}, alternated\n`,
);
const peaks = { one: [] as number[], many: [] as number[] };
for (let r = 0; r < ROUNDS; r++) {
  peaks.one.push(await round(1));
  peaks.many.push(await round(many));
}
const show = (xs: number[]): string => `${xs.map((x) => x.toFixed(0)).join(', ')} MB`;
process.stdout.write(
  `\npeak RSS per round: one address ${show(peaks.one)}; ${many} addresses ${show(peaks.many)} (target ${TARGET_MB} MB)\n`,
);
