/**
 * @module enrich/ip-address
 * Text -> numeric IP address, for range lookups (and back, for IPv6 text). Accepts dotted-quad IPv4,
 * IPv6 (with `::`, embedded IPv4, brackets and a `%zone`), and IPv4-mapped
 * IPv6 (`::ffff:1.2.3.4`, returned as IPv4). Anything else (masked addresses
 * such as `210.184.X.Y`, host names, junk) yields null: attacker-supplied text
 * never throws from here.
 */

/**
 * A parsed address: IPv4 as an unsigned 32-bit number, IPv6 as four
 * unsigned 32-bit words, most significant first (plain numbers compare
 * faster than BigInt, and load without allocating).
 */
export type ParsedIp =
  | { readonly family: 4; readonly v4: number }
  | { readonly family: 6; readonly words: readonly [number, number, number, number] };

const MAX_IP_TEXT = 64;

/** Parses a dotted-quad IPv4 address (no leading zeros beyond "0", no shorthand). */
export function parseIpv4(text: string): number | null {
  if (text.length < 7 || text.length > 15) return null;
  let value = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; /* '.' sentinel */
    if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return null; // leading zero
      part = part * 10 + (c - 48);
      digits++;
      if (digits > 3 || part > 255) return null;
    } else if (c === 46) {
      if (digits === 0) return null;
      value = value * 256 + part;
      parts++;
      part = 0;
      digits = 0;
    } else {
      return null;
    }
  }
  return parts === 4 ? value : null;
}

/** Parses an IPv6 address into 8 16-bit groups, or null. */
function parseIpv6Groups(text: string): number[] | null {
  let s = text;
  const lastColon = s.lastIndexOf(':');
  if (lastColon < 0) return null;
  if (s.includes('.', lastColon)) {
    // Embedded IPv4 (::ffff:1.2.3.4, 64:ff9b::1.2.3.4): rewrite as two hex groups.
    const v4 = parseIpv4(s.slice(lastColon + 1));
    if (v4 === null) return null;
    s = `${s.slice(0, lastColon + 1)}${Math.floor(v4 / 65536).toString(16)}:${(v4 % 65536).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const parseList = (h: string): number[] | null => {
    if (h === '') return [];
    const out: number[] = [];
    for (const g of h.split(':')) {
      if (g.length === 0 || g.length > 4 || !/^[0-9a-fA-F]+$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parseList(halves[0] ?? '');
  if (head === null) return null;
  let groups: number[];
  if (halves.length === 2) {
    const back = parseList(halves[1] ?? '');
    if (back === null) return null;
    const backAll = back;
    const fill = 8 - head.length - backAll.length;
    if (fill < 1) return null;
    groups = head.concat(new Array<number>(fill).fill(0), backAll);
  } else {
    groups = head;
  }
  return groups.length === 8 ? groups : null;
}

/** Parses an IP address given as text; null when it is not one (never throws). */
export function parseIp(input: string): ParsedIp | null {
  if (typeof input !== 'string' || input.length === 0 || input.length > MAX_IP_TEXT) return null;
  let text = input.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  if (!text.includes(':')) {
    const v4 = parseIpv4(text);
    return v4 === null ? null : { family: 4, v4 };
  }
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  const groups = parseIpv6Groups(text);
  if (groups === null) return null;
  // IPv4-mapped (::ffff:a.b.c.d): look it up as the IPv4 address it carries.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return { family: 4, v4: (groups[6] ?? 0) * 65536 + (groups[7] ?? 0) };
  }
  const word = (i: number): number => (groups[i] ?? 0) * 65536 + (groups[i + 1] ?? 0);
  return { family: 6, words: [word(0), word(2), word(4), word(6)] };
}

/** RFC 5952 text of an IPv6 address from its eight 16-bit groups: lower case, longest zero run as `::`. */
export function formatIpv6Groups(groups: readonly number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}
