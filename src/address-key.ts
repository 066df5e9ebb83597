/**
 * @module
 * A source address as four 32-bit words instead of a string: the key of the
 * per-source tables that a flood from many addresses fills (address-table.ts,
 * the traffic line's distinct sources). An IPv6 address is its 128 bits; an
 * IPv4 address is its IPv4-mapped form (`::ffff:a.b.c.d`), so `192.0.2.1`
 * and `::ffff:192.0.2.1` (what a dual-stack socket reports) are one source.
 * Any other text (a zone id `fe80::1%eth0`, a name in a test) is keyed by
 * a 96-bit hash under `ffff:ffff::/32`, a range no host is given.
 */

/** Words per key. */
export const KEY_WORDS = 4;

/** Writes the key of `ip` into `out[at..at+3]`. */
export function addressKey(ip: string, out: Uint32Array, at: number): void {
  const v4 = parseIPv4(ip, 0, ip.length);
  if (v4 >= 0) {
    out[at] = 0;
    out[at + 1] = 0;
    out[at + 2] = 0xffff;
    out[at + 3] = v4;
    return;
  }
  if (parseIPv6(ip, out, at)) return;
  out[at] = 0xffffffff;
  out[at + 1] = hashText(ip, 0x811c9dc5);
  out[at + 2] = hashText(ip, 0x01000193);
  out[at + 3] = hashText(ip, 0x9e3779b9);
}

/** A 32-bit digest of a key: the IPv4 address itself for IPv4, a mix of the words otherwise. */
export function keyDigest(k: Uint32Array, at: number): number {
  const a = k[at] ?? 0;
  const b = k[at + 1] ?? 0;
  const c = k[at + 2] ?? 0;
  const d = k[at + 3] ?? 0;
  if (a === 0 && b === 0 && c === 0xffff) return d;
  return mix(mix(mix(mix(0x2545f491, a), b), c), d);
}

/** A well-spread 32-bit hash of a key, for open addressing. */
export function keyHash(k: Uint32Array, at: number): number {
  return mix(mix(mix(mix(0x6a09e667, k[at] ?? 0), k[at + 1] ?? 0), k[at + 2] ?? 0), k[at + 3] ?? 0);
}

/** True when the keys at `a[i..]` and `b[j..]` are the same address. */
export function sameKey(a: Uint32Array, i: number, b: Uint32Array, j: number): boolean {
  return a[i] === b[j] && a[i + 1] === b[j + 1] && a[i + 2] === b[j + 2] && a[i + 3] === b[j + 3];
}

function mix(h: number, w: number): number {
  h = Math.imul(h ^ w, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function hashText(s: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) h = mix(h, s.charCodeAt(i));
  return mix(h, s.length);
}

/** The IPv4 address in `s[from..to)` as an unsigned number, or -1. */
function parseIPv4(s: string, from: number, to: number): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return -1;
    } else if (c === 46 && digits > 0 && dots < 3) {
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}

/** Writes the IPv6 address `s` as four words; false when `s` is not one. */
function parseIPv6(s: string, out: Uint32Array, at: number): boolean {
  if (s.length < 2 || s.length > 45) return false;
  const groups: number[] = [];
  let gap = -1;
  let i = 0;
  if (s.startsWith('::')) {
    gap = 0;
    i = 2;
  }
  while (i < s.length) {
    let end = s.indexOf(':', i);
    if (end < 0) end = s.length;
    if (end === s.length && s.indexOf('.', i) >= 0) {
      const v4 = parseIPv4(s, i, end);
      if (v4 < 0) return false;
      groups.push(Math.floor(v4 / 65536), v4 % 65536);
      i = end;
      break;
    }
    const n = end - i;
    if (n < 1 || n > 4) return false;
    let g = 0;
    for (let j = i; j < end; j++) {
      const h = hexValue(s.charCodeAt(j));
      if (h < 0) return false;
      g = g * 16 + h;
    }
    groups.push(g);
    i = end + 1;
    if (end === s.length) break;
    if (s.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = groups.length;
      i++;
    } else if (i === s.length) return false;
  }
  if (groups.length > 8 || (gap < 0 && groups.length !== 8) || (gap >= 0 && groups.length > 7))
    return false;
  const full = new Array<number>(8).fill(0);
  const tail = gap < 0 ? 0 : groups.length - gap;
  for (let g = 0; g < groups.length; g++) {
    const pos = gap >= 0 && g >= gap ? 8 - tail + (g - gap) : g;
    full[pos] = groups[g] ?? 0;
  }
  for (let w = 0; w < 4; w++) out[at + w] = (full[2 * w] ?? 0) * 65536 + (full[2 * w + 1] ?? 0);
  return true;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}
