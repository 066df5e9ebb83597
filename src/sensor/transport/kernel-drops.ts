/**
 * @module
 * The kernel's count of datagrams it dropped for one UDP socket (its
 * receive buffer was full), read from `/proc/net/udp` or `/proc/net/udp6`
 * (Linux; the last column, `drops`). Node exposes no socket option for it.
 * The socket is found by its local address and port; null where the file
 * is missing (other systems) or holds no such socket.
 */
import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';

/** The 32-bit words of an address as /proc/net/udp{,6} writes them: host byte order (little-endian), in hex. */
export function procAddressHex(ip: string): string {
  const bytes: number[] = [];
  if (isIPv4(ip)) bytes.push(...ip.split('.').map(Number));
  else {
    const [head = '', tail = ''] = ip.split('::');
    const h = head === '' ? [] : head.split(':');
    const t = tail === '' ? [] : tail.split(':');
    const groups = ip.includes('::')
      ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t]
      : h;
    for (const g of groups) {
      const v = parseInt(g, 16);
      bytes.push(v >> 8, v & 0xff);
    }
  }
  let hex = '';
  for (let w = 0; w < bytes.length; w += 4) {
    for (let b = 3; b >= 0; b--) hex += (bytes[w + b] ?? 0).toString(16).padStart(2, '0');
  }
  return hex.toUpperCase();
}

/** The `drops` of the socket bound to `ip`:`port` in a /proc/net/udp text, or null. */
export function dropsIn(text: string, ip: string, port: number): number | null {
  const local = `${procAddressHex(ip)}:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols[1] === local) {
      const drops = Number(cols[cols.length - 1]);
      return Number.isFinite(drops) ? drops : null;
    }
  }
  return null;
}

/** Reads the kernel's drop count of the UDP socket on `ip`:`port`; null when unknown. */
export function kernelDrops(family: 4 | 6, ip: string, port: number): number | null {
  try {
    return dropsIn(
      readFileSync(family === 6 ? '/proc/net/udp6' : '/proc/net/udp', 'latin1'),
      ip,
      port,
    );
  } catch {
    return null;
  }
}
