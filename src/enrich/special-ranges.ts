/**
 * @module enrich/special-ranges
 * The IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and
 * the RFCs that updated them), plus multicast, which is never a source. An
 * address in one of these blocks belongs to no country and no AS, whatever a
 * geolocation file says about it: private networks behind a NAT, shared
 * carrier space, loopback, documentation examples, benchmarking, anycast
 * service prefixes and translation prefixes. IPv4-mapped IPv6 addresses
 * (`::ffff:a.b.c.d`) are not listed here: `parseIp` returns them as the IPv4
 * address they carry, which is then checked against the IPv4 table.
 */
import { parseIp, type ParsedIp } from './ip-address.js';

/** One registry entry: the block as CIDR text, its name and the RFC that made it. */
export interface SpecialRange {
  readonly cidr: string;
  readonly name: string;
  readonly rfc: string;
}

/** IANA IPv4 Special-Purpose Address Registry, every entry, in registry order. */
export const SPECIAL_V4: readonly SpecialRange[] = [
  { cidr: '0.0.0.0/8', name: 'This network', rfc: 'RFC 791' },
  { cidr: '0.0.0.0/32', name: 'This host on this network', rfc: 'RFC 1122' },
  { cidr: '10.0.0.0/8', name: 'Private-Use', rfc: 'RFC 1918' },
  { cidr: '100.64.0.0/10', name: 'Shared Address Space', rfc: 'RFC 6598' },
  { cidr: '127.0.0.0/8', name: 'Loopback', rfc: 'RFC 1122' },
  { cidr: '169.254.0.0/16', name: 'Link Local', rfc: 'RFC 3927' },
  { cidr: '172.16.0.0/12', name: 'Private-Use', rfc: 'RFC 1918' },
  { cidr: '192.0.0.0/24', name: 'IETF Protocol Assignments', rfc: 'RFC 6890' },
  { cidr: '192.0.0.0/29', name: 'IPv4 Service Continuity Prefix', rfc: 'RFC 7335' },
  { cidr: '192.0.0.8/32', name: 'IPv4 dummy address', rfc: 'RFC 7600' },
  { cidr: '192.0.0.9/32', name: 'Port Control Protocol Anycast', rfc: 'RFC 7723' },
  { cidr: '192.0.0.10/32', name: 'Traversal Using Relays around NAT Anycast', rfc: 'RFC 8155' },
  { cidr: '192.0.0.170/32', name: 'NAT64/DNS64 Discovery', rfc: 'RFC 8880' },
  { cidr: '192.0.0.171/32', name: 'NAT64/DNS64 Discovery', rfc: 'RFC 8880' },
  { cidr: '192.0.2.0/24', name: 'Documentation (TEST-NET-1)', rfc: 'RFC 5737' },
  { cidr: '192.31.196.0/24', name: 'AS112-v4', rfc: 'RFC 7535' },
  { cidr: '192.52.193.0/24', name: 'AMT', rfc: 'RFC 7450' },
  { cidr: '192.88.99.0/24', name: 'Deprecated (6to4 Relay Anycast)', rfc: 'RFC 7526' },
  { cidr: '192.168.0.0/16', name: 'Private-Use', rfc: 'RFC 1918' },
  { cidr: '192.175.48.0/24', name: 'Direct Delegation AS112 Service', rfc: 'RFC 7534' },
  { cidr: '198.18.0.0/15', name: 'Benchmarking', rfc: 'RFC 2544' },
  { cidr: '198.51.100.0/24', name: 'Documentation (TEST-NET-2)', rfc: 'RFC 5737' },
  { cidr: '203.0.113.0/24', name: 'Documentation (TEST-NET-3)', rfc: 'RFC 5737' },
  { cidr: '240.0.0.0/4', name: 'Reserved', rfc: 'RFC 1112' },
  { cidr: '255.255.255.255/32', name: 'Limited Broadcast', rfc: 'RFC 8190' },
  // Not in the registry, but never the source of a datagram.
  { cidr: '224.0.0.0/4', name: 'Multicast', rfc: 'RFC 5771' },
];

/** IANA IPv6 Special-Purpose Address Registry, every entry, in registry order. */
export const SPECIAL_V6: readonly SpecialRange[] = [
  { cidr: '::1/128', name: 'Loopback Address', rfc: 'RFC 4291' },
  { cidr: '::/128', name: 'Unspecified Address', rfc: 'RFC 4291' },
  { cidr: '64:ff9b::/96', name: 'IPv4-IPv6 Translat.', rfc: 'RFC 6052' },
  { cidr: '64:ff9b:1::/48', name: 'IPv4-IPv6 Translat.', rfc: 'RFC 8215' },
  { cidr: '100::/64', name: 'Discard-Only Address Block', rfc: 'RFC 6666' },
  { cidr: '100:0:0:1::/64', name: 'Dummy IPv6 Prefix', rfc: 'RFC 9780' },
  { cidr: '2001::/23', name: 'IETF Protocol Assignments', rfc: 'RFC 2928' },
  { cidr: '2001::/32', name: 'TEREDO', rfc: 'RFC 4380' },
  { cidr: '2001:1::1/128', name: 'Port Control Protocol Anycast', rfc: 'RFC 7723' },
  { cidr: '2001:1::2/128', name: 'Traversal Using Relays around NAT Anycast', rfc: 'RFC 8155' },
  { cidr: '2001:1::3/128', name: 'DNS-SD Service Registration Protocol Anycast', rfc: 'RFC 9665' },
  { cidr: '2001:2::/48', name: 'Benchmarking', rfc: 'RFC 5180' },
  { cidr: '2001:3::/32', name: 'AMT', rfc: 'RFC 7450' },
  { cidr: '2001:4:112::/48', name: 'AS112-v6', rfc: 'RFC 7535' },
  { cidr: '2001:10::/28', name: 'Deprecated (previously ORCHID)', rfc: 'RFC 4843' },
  { cidr: '2001:20::/28', name: 'ORCHIDv2', rfc: 'RFC 7343' },
  {
    cidr: '2001:30::/28',
    name: 'Drone Remote ID Protocol Entity Tags (DETs) Prefix',
    rfc: 'RFC 9374',
  },
  { cidr: '2001:db8::/32', name: 'Documentation', rfc: 'RFC 3849' },
  { cidr: '2002::/16', name: '6to4', rfc: 'RFC 3056' },
  { cidr: '2620:4f:8000::/48', name: 'Direct Delegation AS112 Service', rfc: 'RFC 7534' },
  { cidr: '3fff::/20', name: 'Documentation', rfc: 'RFC 9637' },
  { cidr: '5f00::/16', name: 'Segment Routing (SRv6) SIDs', rfc: 'RFC 9602' },
  { cidr: 'fc00::/7', name: 'Unique-Local', rfc: 'RFC 4193' },
  { cidr: 'fe80::/10', name: 'Link-Local Unicast', rfc: 'RFC 4291' },
  // Not in the registry, but never the source of a datagram.
  { cidr: 'ff00::/8', name: 'Multicast', rfc: 'RFC 4291' },
];

interface Block4 {
  readonly first: number;
  readonly last: number;
}
interface Block6 {
  readonly words: readonly [number, number, number, number];
  readonly bits: number;
}

function splitCidr(cidr: string): { ip: ParsedIp; bits: number } {
  const slash = cidr.indexOf('/');
  const ip = parseIp(cidr.slice(0, slash));
  const bits = Number(cidr.slice(slash + 1));
  if (ip === null || !Number.isInteger(bits)) throw new Error(`bad special range ${cidr}`);
  return { ip, bits };
}

const BLOCKS4: readonly Block4[] = SPECIAL_V4.map(({ cidr }) => {
  const { ip, bits } = splitCidr(cidr);
  if (ip.family !== 4) throw new Error(`not IPv4: ${cidr}`);
  const size = 2 ** (32 - bits);
  const first = ip.v4 - (ip.v4 % size);
  return { first, last: first + size - 1 };
});

const BLOCKS6: readonly Block6[] = SPECIAL_V6.map(({ cidr }) => {
  const { ip, bits } = splitCidr(cidr);
  if (ip.family !== 6) throw new Error(`not IPv6: ${cidr}`);
  return { words: ip.words, bits };
});

function inBlock6(words: readonly number[], b: Block6): boolean {
  let bits = b.bits;
  for (let i = 0; i < 4 && bits > 0; i++, bits -= 32) {
    const n = Math.min(32, bits);
    const shift = 32 - n;
    // Compare the top n bits of the word (division keeps it unsigned).
    const a = Math.floor((words[i] ?? 0) / 2 ** shift);
    const p = Math.floor((b.words[i] ?? 0) / 2 ** shift);
    if (a !== p) return false;
  }
  return true;
}

/** True when a parsed address lies in a special-purpose (or multicast) block. */
export function isSpecialPurpose(ip: ParsedIp): boolean {
  if (ip.family === 4) return BLOCKS4.some((b) => ip.v4 >= b.first && ip.v4 <= b.last);
  return BLOCKS6.some((b) => inBlock6(ip.words, b));
}
