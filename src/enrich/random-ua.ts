/**
 * @module enrich/random-ua
 * Detects the 20-character random User-Agent strings of the article's
 * Table 2 (`DmQCAsNRKZYayfosaXES`): one per request, never repeating, so
 * the only evidence is the string's own shape. Pure; never throws. Must not
 * flag real agents (names, versions, hex build ids, UUIDs).
 */

/** The article saw exactly 20 characters; other lengths are left as sent. */
export const RANDOM_UA_LENGTH = 20;

/**
 * Vendor stems and words that real agents put in a single token. A random
 * 20-char string contains a given 4-letter word with probability ~1e-5, so
 * this list costs almost nothing in missed detections.
 */
const WORDS = [
  'agent',
  'user',
  'phone',
  'voip',
  'client',
  'server',
  'soft',
  'scan',
  'test',
  'asterisk',
  'call',
  'dial',
  'linksys',
  'cisco',
  'polycom',
  'yealink',
  'grand',
  'zoiper',
  'lite',
  'beam',
  'micro',
  'linphone',
  'ozeki',
  'portsip',
  'release',
  'stamp',
  'build',
  'version',
  'beta',
  'alpha',
  'free',
  'open',
  'talk',
  'media',
  'gate',
  'switch',
  'proxy',
  'router',
  'android',
  'iphone',
  'windows',
  'linux',
  'friendly',
  'hello',
  'admin',
  'demo',
  'device',
];

/** Random 20-char strings fall below 2 case changes about 1 time in 10^4 (measured). */
const MIN_CASE_SWITCHES = 2;

/** Number of positions where adjacent letters change case: camel case has few, noise many. */
function caseSwitches(s: string): number {
  let n = 0;
  let prev = 0; // 0 none, 1 lower, 2 upper
  for (const ch of s) {
    const cls = ch >= 'a' && ch <= 'z' ? 1 : ch >= 'A' && ch <= 'Z' ? 2 : 0;
    if (cls === 0) continue;
    if (prev !== 0 && cls !== prev) n++;
    prev = cls;
  }
  return n;
}

/**
 * True for a single 20-character token of [A-Za-z0-9] that looks like
 * random noise: both letter cases, at least one letter outside the hex
 * range (hex ids are build numbers), many case changes (random letters
 * change case about every other position; CamelCase names change once per
 * word), at least 12 distinct characters (a random 20-char string has ~17),
 * and no vendor stem or VoIP word.
 */
export function isRandomUserAgent(ua: string): boolean {
  if (ua.length !== RANDOM_UA_LENGTH || !/^[A-Za-z0-9]+$/.test(ua)) return false;
  if (!/[a-z]/.test(ua) || !/[A-Z]/.test(ua)) return false;
  if (!/[g-zG-Z]/.test(ua)) return false;
  if (new Set(ua).size < 12) return false;
  if (caseSwitches(ua) < MIN_CASE_SWITCHES) return false;
  const lower = ua.toLowerCase();
  return !WORDS.some((w) => lower.includes(w));
}
