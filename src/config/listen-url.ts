/**
 * @module
 * Listener URLs: `udp://HOST:PORT`, `tcp://HOST:PORT`, `tls://HOST:PORT`,
 * IPv6 hosts in brackets (`udp://[::1]:5060`). Only literal addresses: a
 * honeypot binds to addresses, never resolves names. Pure: no sockets.
 */
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { Transport } from '../events/catalog.js';

export interface ListenAddress {
  readonly transport: Transport;
  /** Address without brackets. */
  readonly host: string;
  readonly port: number;
  readonly family: 4 | 6;
  /** The URL as written, for messages. */
  readonly url: string;
}

const URL_RE = /^(udp|tcp|tls):\/\/(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):(\d{1,5})$/;

/** Parses a listener URL; returns an error message instead of throwing. */
export function parseListenUrl(
  url: string,
): { ok: true; value: ListenAddress } | { ok: false; error: string } {
  const m = URL_RE.exec(url);
  if (!m) return { ok: false, error: 'expected udp|tcp|tls://ADDRESS:PORT (IPv6 in brackets)' };
  const transport = m[1] as Transport;
  const host = m[2] ?? m[3] ?? '';
  const family = isIP(host);
  if (family === 0) return { ok: false, error: 'expected a literal IPv4 or IPv6 address' };
  if (m[2] !== undefined && family !== 6)
    return { ok: false, error: 'brackets are for IPv6 addresses' };
  const port = Number(m[4]);
  if (port > 65535) return { ok: false, error: 'port out of range' };
  return { ok: true, value: { transport, host, port, family: family === 6 ? 6 : 4, url } };
}

/** `udp://[::1]:5060` back from parts. */
export function formatListenUrl(transport: Transport, host: string, port: number): string {
  return `${transport}://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}

/**
 * The address to report (and to put in Contact headers) for a listener.
 * A wildcard UDP socket cannot tell which local address a datagram reached
 * (Node has no IP_PKTINFO), and `0.0.0.0` in a Contact would be a honeypot
 * tell: use the first external interface address of the family instead,
 * else loopback. Specific addresses are returned unchanged.
 */
export function reportedLocalAddress(host: string, family: 4 | 6): string {
  if (host !== '0.0.0.0' && host !== '::') return host;
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (family === 4 && a.family === 'IPv4') return a.address;
      if (family === 6 && a.family === 'IPv6' && !a.address.startsWith('fe80')) return a.address;
    }
  }
  return family === 4 ? '127.0.0.1' : '::1';
}
