/**
 * @module
 * The TCP and TLS listeners: each connection is cut into messages by the
 * SIP framer (Content-Length, RFC 3261 §18.3); replies go back on the same
 * connection. Bounded: connections in total and per source address, bytes
 * buffered per connection (the framer's limit), bytes queued for a peer
 * that does not read, idle time, and the time a message may take (see
 * message-pace.ts): a peer that trickles bytes cannot hold a slot. A framing error reports the input and
 * closes the connection (the stream cannot be re-synchronised). Never throws
 * on input.
 */
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { SipFramer } from '../../sip/framing.js';
import type { Transport } from '../../events/catalog.js';
import type { ConnectionLimiter } from '../limits.js';
import { formatListenUrl, type ListenAddress } from '../../config/listen-url.js';
import { MessagePace, type PaceLimits } from './message-pace.js';
import type { Listener, Peer, TransportHandlers } from './types.js';

/** Bytes queued for a peer that does not read before the connection is dropped. */
export const MAX_PENDING_WRITE_BYTES = 256 * 1024;

export interface TcpOptions {
  readonly maxMessageBytes: number;
  readonly idleTimeoutMs: number;
  /** Deadlines and minimum rate of one message. */
  readonly pace: PaceLimits;
  readonly connections: ConnectionLimiter;
  /** PEM key and certificate: present for tls:// listeners. */
  readonly tls?: { readonly key: string; readonly cert: string };
}

const CRLF = Buffer.from('\r\n');

/** Strips the IPv4-mapped prefix so limits and events see `1.2.3.4`, not `::ffff:1.2.3.4`. */
function plainIp(ip: string | undefined): string {
  if (ip === undefined) return '';
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip;
}

function serveConnection(
  socket: Socket,
  transport: Transport,
  address: ListenAddress,
  opts: TcpOptions,
  handlers: TransportHandlers,
): void {
  socket.on('error', () => undefined);
  const peer: Peer = {
    transport,
    srcIp: plainIp(socket.remoteAddress),
    srcPort: socket.remotePort ?? 0,
    // The connection knows the local address it reached, even on a wildcard listener.
    dstIp: plainIp(socket.localAddress) || address.host,
    dstPort: address.port,
  };
  const refused = opts.connections.acquire(peer.srcIp);
  if (refused !== null) {
    handlers.onRefused(peer, refused);
    socket.destroy();
    return;
  }
  socket.once('close', () => {
    opts.connections.release(peer.srcIp);
  });
  socket.setNoDelay(true);
  socket.setTimeout(opts.idleTimeoutMs, () => socket.destroy());
  const framer = new SipFramer({ maxMessageBytes: opts.maxMessageBytes });
  const pace = new MessagePace(framer, opts.pace, () => {
    handlers.onMalformed({
      ...peer,
      reason: 'too_slow',
      size: framer.partial?.bytes ?? 0,
      excerpt: framer.head,
    });
    socket.destroy();
  });
  socket.once('close', () => {
    pace.stop();
  });
  const reply = (data: Buffer): void => {
    if (socket.destroyed || !socket.writable) return;
    if (socket.writableLength > MAX_PENDING_WRITE_BYTES) {
      socket.destroy();
      return;
    }
    socket.write(data);
  };
  socket.on('data', (chunk: Buffer) => {
    const items = framer.push(chunk);
    pace.update(items.some((i) => i.kind === 'message'));
    for (const item of items) {
      if (socket.destroyed) return;
      switch (item.kind) {
        case 'message':
          handlers.onMessage({
            transport: peer.transport,
            srcIp: peer.srcIp,
            srcPort: peer.srcPort,
            dstIp: peer.dstIp,
            dstPort: peer.dstPort,
            bytes: item.bytes,
            reply,
          });
          break;
        case 'keepalive':
          reply(CRLF); // RFC 5626 §3.5.1: answer a CRLFCRLF ping with CRLF
          break;
        case 'error':
          handlers.onMalformed({
            ...peer,
            reason: item.reason,
            size: Math.max(item.excerpt.length, framer.buffered),
            excerpt: item.excerpt,
          });
          socket.destroy();
          return;
      }
    }
  });
}

/** Starts a TCP listener, or a TLS one when `opts.tls` is given. */
export async function listenTcp(
  addr: ListenAddress,
  opts: TcpOptions,
  handlers: TransportHandlers,
): Promise<Listener> {
  const transport: Transport = opts.tls ? 'tls' : 'tcp';
  const sockets = new Set<Socket>();
  let address: ListenAddress = addr;
  const onSocket = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    serveConnection(socket, transport, address, opts, handlers);
  };
  const server: Server = opts.tls
    ? createTlsServer({ key: opts.tls.key, cert: opts.tls.cert, handshakeTimeout: 10000 }, onSocket)
    : createTcpServer(onSocket);
  server.on('tlsClientError', (_err: unknown, socket: Socket) => socket.destroy());
  server.maxConnections = 1_000_000; // our own ConnectionLimiter decides, and records refusals
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: addr.port, host: addr.host, ipv6Only: addr.family === 6 }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => undefined);
  const bound = server.address();
  const port = typeof bound === 'object' && bound !== null ? bound.port : addr.port;
  address = { ...addr, port, url: formatListenUrl(transport, addr.host, port) };
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}
