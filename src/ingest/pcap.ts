/**
 * @module
 * A small, bounded packet-capture reader: pcap (micro- and nanosecond, both
 * byte orders) and pcapng (SHB, IDB with if_tsresol, EPB, SPB). Each frame
 * is decoded by packet-decode.ts (IP fragments reassembled within bounds:
 * ip-fragments.ts). It yields transport payloads with their addresses and
 * time, and what arrived of datagrams whose fragments never all came
 * (`incomplete`); SIP is recognised elsewhere.
 *
 * Must never throw on a damaged file: it stops at the first record that
 * cannot be right, and never holds more than one chunk plus one record
 * (and the bounded fragments waiting for reassembly).
 */
import { IpReassembler, type DroppedDatagram } from './ip-fragments.js';
import { decodeFrame, type Packet } from './packet-decode.js';

/** Largest record accepted; beyond it the capture is taken as damaged. */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** Accumulates chunks and hands out whole records. */
class Reader {
  private buf: Buffer = Buffer.alloc(0);
  push(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
  }
  get length(): number {
    return this.buf.length;
  }
  peek(n: number): Buffer | null {
    return this.buf.length >= n ? this.buf.subarray(0, n) : null;
  }
  take(n: number): Buffer {
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }
}

/** What arrived of a datagram that never completed, as a packet marked `incomplete`. */
function incompletePacket(d: DroppedDatagram): Packet {
  const udp = d.proto === 17 && d.head.length >= 8;
  return {
    tsMs: 0,
    proto: d.proto === 6 ? 'tcp' : 'udp',
    srcIp: '',
    dstIp: '',
    srcPort: udp ? d.head.readUInt16BE(0) : 0,
    dstPort: udp ? d.head.readUInt16BE(2) : 0,
    seq: 0,
    syn: false,
    payload: udp ? d.head.subarray(8) : Buffer.alloc(0),
    incomplete: { frame: d.frame },
  };
}

/** How a read ended: `damaged` (stopped at a record that cannot be), `truncated` (the file ends inside a record). */
export interface CaptureStatus {
  damaged: boolean;
  truncated: boolean;
  frames: number;
}

/**
 * Reads packets from a stream of chunks of a pcap or pcapng file. `damaged`
 * is set when it stopped early; `truncated` when the file ends inside a
 * record (a capture cut short: that record's message is lost). Datagrams whose fragments never all came
 * are yielded last (or when the reassembly drops them), marked `incomplete`.
 */
export async function* readPackets(
  chunks: AsyncIterable<Buffer>,
  status: CaptureStatus = { damaged: false, truncated: false, frames: 0 },
): AsyncGenerator<Packet> {
  const dropped: Packet[] = [];
  const table = new IpReassembler((d) => dropped.push(incompletePacket(d)));
  try {
    yield* readRecords(chunks, status, table, dropped);
  } finally {
    table.flush();
  }
  if (dropped.length > 0) yield* dropped.splice(0);
}

/** A captured frame: its link type, time and bytes. */
interface Frame {
  readonly linkType: number;
  readonly tsMs: number;
  readonly bytes: Buffer;
}

/** What the reader knows of the capture so far (its header, its interfaces). */
interface CaptureFormat {
  kind: 'pcap' | 'pcapng' | null;
  /** Little-endian numbers (pcap: its magic; pcapng: the current section). */
  le: boolean;
  /** pcap: nanosecond times. */
  nano: boolean;
  /** pcap: the link type of every record. */
  linkType: number;
  /** pcapng: the interfaces of the current section. */
  readonly ifaces: { link: number; unitsPerMs: number }[];
}

/** The next step of a read: a frame, a block without one, more bytes needed, or a damaged file. */
type Step = Frame | 'skip' | 'more' | 'damaged';

async function* readRecords(
  chunks: AsyncIterable<Buffer>,
  status: CaptureStatus,
  table: IpReassembler,
  dropped: Packet[],
): AsyncGenerator<Packet> {
  const r = new Reader();
  const format: CaptureFormat = { kind: null, le: true, nano: false, linkType: 1, ifaces: [] };
  for await (const chunk of chunks) {
    r.push(chunk);
    for (;;) {
      const step = nextStep(r, format);
      if (step === 'more') break;
      if (step === 'damaged') {
        status.damaged = true;
        return;
      }
      if (step === 'skip') continue;
      status.frames++;
      const p = decodeFrame(step.linkType, step.tsMs, step.bytes, { table, frame: status.frames });
      if (p) yield p;
      if (dropped.length > 0) yield* dropped.splice(0);
    }
  }
  // Bytes left over: the file ends inside a record (or its header).
  if (r.length > 0) status.truncated = true;
}

function nextStep(r: Reader, format: CaptureFormat): Step {
  if (format.kind === null) return readFileHeader(r, format);
  if (format.kind === 'pcap') return readPcapRecord(r, format);
  return readPcapngBlock(r, format);
}

/** The first bytes: pcapng's section header (read as a block), or pcap's file header. */
function readFileHeader(r: Reader, format: CaptureFormat): Step {
  const h = r.peek(24);
  if (!h) return 'more';
  const m = h.readUInt32LE(0);
  if (m === 0x0a0d0d0a) {
    format.kind = 'pcapng';
    return 'skip';
  }
  format.kind = 'pcap';
  const le = m === 0xa1b2c3d4 || m === 0xa1b23c4d;
  format.le = le;
  format.nano = m === 0xa1b23c4d || m === 0x4d3cb2a1;
  if (!le && m !== 0xd4c3b2a1 && m !== 0x4d3cb2a1) return 'damaged';
  format.linkType = le ? h.readUInt32LE(20) : h.readUInt32BE(20);
  r.take(24);
  return 'skip';
}

/** One pcap record: 16 bytes of header, then the frame. */
function readPcapRecord(r: Reader, format: CaptureFormat): Step {
  const h = r.peek(16);
  if (!h) return 'more';
  const le = format.le;
  const u32 = (o: number): number => (le ? h.readUInt32LE(o) : h.readUInt32BE(o));
  const incl = u32(8);
  if (incl > MAX_RECORD_BYTES) return 'damaged';
  if (r.length < 16 + incl) return 'more';
  const tsMs = u32(0) * 1000 + (format.nano ? u32(4) / 1e6 : u32(4) / 1e3);
  const rec = r.take(16 + incl);
  return { linkType: format.linkType, tsMs, bytes: Buffer.from(rec.subarray(16)) };
}

/** One pcapng block: a section header, an interface, or a packet (enhanced or simple). */
function readPcapngBlock(r: Reader, format: CaptureFormat): Step {
  const h = r.peek(12);
  if (!h) return 'more';
  const type = h.readUInt32LE(0);
  if (type === 0x0a0d0d0a) format.le = h.readUInt32LE(8) === 0x1a2b3c4d;
  const le = format.le;
  const len = le ? h.readUInt32LE(4) : h.readUInt32BE(4);
  if (len < 12 || len % 4 !== 0 || len > MAX_RECORD_BYTES + 64) return 'damaged';
  if (r.length < len) return 'more';
  const blk = Buffer.from(r.take(len));
  const u32 = (o: number): number => (le ? blk.readUInt32LE(o) : blk.readUInt32BE(o));
  const ifaces = format.ifaces;
  if (type === 0x0a0d0d0a) ifaces.length = 0;
  else if (type === 1 && len >= 20) {
    if (ifaces.length < 256) ifaces.push(interfaceOf(blk, len, le));
  } else if (type === 6 && len >= 32) {
    const iface = ifaces[u32(8)];
    const cap = u32(20);
    if (iface && 28 + cap <= len) {
      const ts = u32(12) * 2 ** 32 + u32(16);
      return {
        linkType: iface.link,
        tsMs: ts / iface.unitsPerMs,
        bytes: blk.subarray(28, 28 + cap),
      };
    }
  } else if (type === 3 && len >= 16) {
    const iface = ifaces[0];
    if (iface) return { linkType: iface.link, tsMs: 0, bytes: blk.subarray(12, len - 4) };
  }
  return 'skip';
}

/** An interface description block: its link type and time resolution (if_tsresol). */
function interfaceOf(blk: Buffer, len: number, le: boolean): { link: number; unitsPerMs: number } {
  const u16 = (o: number): number => (le ? blk.readUInt16LE(o) : blk.readUInt16BE(o));
  let unitsPerMs = 1000;
  for (let o = 16; o + 4 <= len - 4;) {
    const code = u16(o);
    const olen = u16(o + 2);
    if (code === 0) break;
    if (code === 9 && olen >= 1) {
      const v = blk[o + 4] ?? 6;
      unitsPerMs = (v & 0x80 ? 2 ** (v & 0x7f) : 10 ** v) / 1000;
    }
    o += 4 + Math.ceil(olen / 4) * 4;
  }
  return { link: u16(8), unitsPerMs };
}
