/**
 * @module
 * The UDP listener: one datagram is one message; replies go to the source
 * address and port (RFC 3261 §18.2.2 with rport, which is what scanners
 * expect). Datagrams larger than the limit are reported, not parsed. A big
 * receive buffer absorbs bursts. Never throws on input; send errors are
 * dropped (the peer may be gone or spoofed).
 */
import { createSocket, type Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupAddress, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import type { Listener, TransportHandlers } from './types.js';
import { formatListenUrl, reportedLocalAddress, type ListenAddress } from './listen-url.js';

/** Receive buffer asked of the kernel (it may grant less: net.core.rmem_max). */
export const UDP_RECV_BUFFER_BYTES = 8 * 1024 * 1024;

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

let lastLiteral = '';
let lastFamily = 0;

/**
 * Replies go to the address a datagram came from, always an IP literal:
 * answer at once instead of through dns.lookup, which defers every send by
 * a tick. Anything else (never expected) still goes through the resolver.
 */
function literalLookup(
  hostname: string,
  options: LookupOneOptions | number,
  callback: LookupCallback,
): void {
  // A flood comes from few addresses: the last literal seen skips isIP's regexps.
  if (hostname === lastLiteral) {
    callback(null, hostname, lastFamily);
    return;
  }
  const family = isIP(hostname);
  if (family !== 0) {
    lastLiteral = hostname;
    lastFamily = family;
    callback(null, hostname, family);
    return;
  }
  const opts: LookupOneOptions = typeof options === 'number' ? { family: options } : options;
  dnsLookup(hostname, opts, (err, address: string | LookupAddress, fam?: number) => {
    if (typeof address === 'string') callback(err, address, fam ?? 0);
    else callback(err, address.address, address.family);
  });
}

export interface UdpOptions {
  readonly maxMessageBytes: number;
}

export async function listenUdp(
  addr: ListenAddress,
  opts: UdpOptions,
  handlers: TransportHandlers,
): Promise<Listener> {
  const socket: Socket = createSocket({
    type: addr.family === 6 ? 'udp6' : 'udp4',
    ipv6Only: addr.family === 6,
    reuseAddr: false,
    lookup: literalLookup,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(addr.port, addr.host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  try {
    socket.setRecvBufferSize(UDP_RECV_BUFFER_BYTES);
  } catch {
    // The kernel keeps its default; the listener still works.
  }
  socket.on('error', () => undefined);
  const bound = socket.address();
  const address: ListenAddress = {
    ...addr,
    port: bound.port,
    url: formatListenUrl('udp', addr.host, bound.port),
  };
  const dstIp = reportedLocalAddress(addr.host, addr.family);
  const dstPort = bound.port;
  socket.on('message', (bytes, rinfo) => {
    const srcIp = rinfo.address;
    const srcPort = rinfo.port;
    // Object literals with every field written out, not spreads of a shared peer: V8 gives a
    // literal one hidden class, where a spread followed by more fields builds a new one per
    // datagram (measured: 4 % of the sensor's main thread under load).
    if (bytes.length > opts.maxMessageBytes) {
      handlers.onMalformed({
        transport: 'udp',
        srcIp,
        srcPort,
        dstIp,
        dstPort,
        reason: 'too_large',
        size: bytes.length,
        excerpt: bytes.subarray(0, 256),
      });
      return;
    }
    handlers.onMessage({
      transport: 'udp',
      srcIp,
      srcPort,
      dstIp,
      dstPort,
      bytes,
      reply: (data: Buffer) => {
        try {
          // No callback: a failed send is dropped, and Node skips the completion round trip.
          socket.send(data, srcPort, srcIp);
        } catch {
          // Socket closed during shutdown: nothing to answer with.
        }
      },
    });
  });
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        socket.close(() => {
          resolve();
        });
      }),
  };
}
