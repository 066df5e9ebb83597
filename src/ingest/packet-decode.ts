/**
 * @module
 * Decoding of one captured frame down to its transport payload: link types
 * Ethernet (with VLAN tags), Linux cooked v1/v2, raw IP and BSD loopback;
 * IPv4 and IPv6 (extension headers skipped, fragments handed to the
 * capture's bounded reassembly, ip-fragments.ts); UDP and TCP. Knows
 * nothing of file formats (pcap.ts) or of SIP (capture.ts).
 *
 * Must never throw on a damaged frame: what cannot be read is null.
 */
import { formatIpv6Groups } from '../enrich/ip-address.js';
import type { IpReassembler } from './ip-fragments.js';

export interface Packet {
  /** Capture time, epoch milliseconds. */
  readonly tsMs: number;
  readonly proto: 'udp' | 'tcp';
  readonly srcIp: string;
  readonly dstIp: string;
  readonly srcPort: number;
  readonly dstPort: number;
  /** TCP only: sequence number and SYN flag. */
  readonly seq: number;
  readonly syn: boolean;
  readonly payload: Buffer;
  /**
   * Set on what arrived of a fragmented datagram that never completed:
   * the frame of its first fragment; the payload is its bytes from the
   * start (the transport header included only when that part came).
   */
  readonly incomplete?: { readonly frame: number };
}

/** Reassembly state of one capture and the number of the frame being decoded. */
export interface FragmentContext {
  readonly table: IpReassembler;
  readonly frame: number;
}

function formatIpv4(b: Buffer, at: number): string {
  return `${b[at] ?? 0}.${b[at + 1] ?? 0}.${b[at + 2] ?? 0}.${b[at + 3] ?? 0}`;
}

/** RFC 5952 text of the IPv6 address at `at`. */
function formatIpv6(b: Buffer, at: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(b.readUInt16BE(at + i * 2));
  return formatIpv6Groups(g);
}

function transport(
  tsMs: number,
  src: string,
  dst: string,
  proto: number,
  b: Buffer,
  at: number,
  end: number,
): Packet | null {
  if (proto === 17) {
    if (end - at < 8) return null;
    return {
      tsMs,
      proto: 'udp',
      srcIp: src,
      dstIp: dst,
      srcPort: b.readUInt16BE(at),
      dstPort: b.readUInt16BE(at + 2),
      seq: 0,
      syn: false,
      payload: b.subarray(at + 8, end),
    };
  }
  if (proto === 6) {
    if (end - at < 20) return null;
    const off = ((b[at + 12] ?? 0) >> 4) * 4;
    if (off < 20 || at + off > end) return null;
    return {
      tsMs,
      proto: 'tcp',
      srcIp: src,
      dstIp: dst,
      srcPort: b.readUInt16BE(at),
      dstPort: b.readUInt16BE(at + 2),
      seq: b.readUInt32BE(at + 4),
      syn: ((b[at + 13] ?? 0) & 0x02) !== 0,
      payload: b.subarray(at + off, end),
    };
  }
  return null;
}

/** IPv6 extension headers that may precede the upper layer (hop-by-hop, routing, destination). */
function skipIpv6Options(b: Buffer, next: number, p: number, end: number): [number, number] | null {
  for (let hops = 0; hops < 8 && (next === 0 || next === 43 || next === 60); hops++) {
    if (p + 2 > end) return null;
    next = b[p] ?? 0;
    p += ((b[p + 1] ?? 0) + 1) * 8;
  }
  return [next, p];
}

/**
 * One fragment into the capture's reassembly: the packet when it completes
 * its datagram, else null. IPv6 fragments carry the header that follows the
 * fragment header, so options after it are skipped once whole.
 */
function fragment(
  ctx: FragmentContext | undefined,
  tsMs: number,
  src: string,
  dst: string,
  proto: number,
  id: number,
  offset: number,
  more: boolean,
  data: Buffer,
  v6: boolean,
): Packet | null {
  if (ctx === undefined) return null;
  const whole = ctx.table.add(
    `${src}|${dst}|${proto}|${id}`,
    proto,
    ctx.frame,
    tsMs,
    offset,
    more,
    data,
  );
  if (whole === null) return null;
  if (!v6) return transport(tsMs, src, dst, proto, whole, 0, whole.length);
  const upper = skipIpv6Options(whole, proto, 0, whole.length);
  return upper ? transport(tsMs, src, dst, upper[0], whole, upper[1], whole.length) : null;
}

/**
 * An IP packet starting at `at` -> UDP/TCP packet, or null. Fragments go
 * into `frags` (when given) and come out as one packet with the fragment
 * that completes them.
 */
function decodeIp(tsMs: number, b: Buffer, at: number, frags?: FragmentContext): Packet | null {
  if (b.length - at < 1) return null;
  const v = (b[at] ?? 0) >> 4;
  if (v === 4) {
    if (b.length - at < 20) return null;
    const ihl = ((b[at] ?? 0) & 0x0f) * 4;
    const total = b.readUInt16BE(at + 2);
    const frag = b.readUInt16BE(at + 6);
    if (ihl < 20) return null;
    const end = Math.min(b.length, at + (total || b.length - at));
    const src = formatIpv4(b, at + 12);
    const dst = formatIpv4(b, at + 16);
    const proto = b[at + 9] ?? 0;
    if ((frag & 0x3fff) !== 0) {
      if (at + ihl > end) return null;
      const id = b.readUInt16BE(at + 4);
      const offset = (frag & 0x1fff) * 8;
      const more = (frag & 0x2000) !== 0;
      return fragment(
        frags,
        tsMs,
        src,
        dst,
        proto,
        id,
        offset,
        more,
        b.subarray(at + ihl, end),
        false,
      );
    }
    return transport(tsMs, src, dst, proto, b, at + ihl, end);
  }
  if (v === 6) {
    if (b.length - at < 40) return null;
    const end = Math.min(b.length, at + 40 + b.readUInt16BE(at + 4));
    const src = formatIpv6(b, at + 8);
    const dst = formatIpv6(b, at + 24);
    const upper = skipIpv6Options(b, b[at + 6] ?? 0, at + 40, end);
    if (upper === null) return null;
    const [next, p] = upper;
    if (next === 44) {
      if (p + 8 > end) return null;
      const offFlags = b.readUInt16BE(p + 2);
      const id = b.readUInt32BE(p + 4);
      const data = b.subarray(p + 8, end);
      return fragment(
        frags,
        tsMs,
        src,
        dst,
        b[p] ?? 0,
        id,
        offFlags & 0xfff8,
        (offFlags & 1) !== 0,
        data,
        true,
      );
    }
    return transport(tsMs, src, dst, next, b, p, end);
  }
  return null;
}

/** A link-layer frame -> packet, for the link types we read. */
export function decodeFrame(
  linkType: number,
  tsMs: number,
  b: Buffer,
  frags?: FragmentContext,
): Packet | null {
  switch (linkType) {
    case 1: {
      let p = 12;
      let type = b.length >= 14 ? b.readUInt16BE(12) : 0;
      while ((type === 0x8100 || type === 0x88a8) && b.length >= p + 6) {
        p += 4;
        type = b.readUInt16BE(p);
      }
      return type === 0x0800 || type === 0x86dd ? decodeIp(tsMs, b, p + 2, frags) : null;
    }
    case 113:
      return b.length >= 16 ? decodeIp(tsMs, b, 16, frags) : null;
    case 276:
      return b.length >= 20 ? decodeIp(tsMs, b, 20, frags) : null;
    case 0:
    case 108:
      return b.length >= 4 ? decodeIp(tsMs, b, 4, frags) : null;
    case 12:
    case 14:
    case 101:
    case 228:
    case 229:
      return decodeIp(tsMs, b, 0, frags);
    default:
      return null;
  }
}
