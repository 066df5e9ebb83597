/**
 * @module
 * Recovers the plaintext password an attacker tried, from a digest answer:
 * 1. the configured password (a successful crack: `configured`);
 * 2. SIPVicious svcrack's From tag, which is hex of `user:password`, then
 *    `01`, then hex of random digits (`sipvicious_tag`);
 * 3. a bounded wordlist tried against the digest (`wordlist`), cached per
 *    (user, realm, nonce, uri, response) so retransmissions cost nothing.
 * Pure CPU work with bounded cost; never throws on attacker input.
 */
import type { GuessSource } from '../events/catalog.js';
import { digestFromHa1, md5Hex, type DigestCredentials } from '../sip/digest.js';
import { LruMap } from '../lru-map.js';
import { textOf } from '../sip/parse.js';

/** Words tried per digest at most: a flood of digests must not become a CPU sink. */
export const MAX_WORDLIST_WORDS = 1000;

export interface Guess {
  readonly password: string;
  readonly source: GuessSource;
}

/**
 * Decodes an svcrack/svwar From tag. svcrack writes hex(`user:password`)
 * `01` hex(digits); svwar writes hex(`user`) `01` hex(digits), which has no
 * password and yields null. Null for anything else.
 */
export function decodeSipviciousTag(tag: string): { user: string; password: string } | null {
  if (tag.length < 6 || tag.length > 512 || tag.length % 2 !== 0 || !/^[0-9a-f]+$/i.test(tag))
    return null;
  const text = Buffer.from(tag, 'hex').toString('latin1');
  const sep = text.indexOf('\x01');
  if (sep <= 0) return null;
  const creds = text.slice(0, sep);
  if (!/^\d*$/.test(text.slice(sep + 1))) return null;
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(creds)) return null;
  const colon = creds.indexOf(':');
  if (colon <= 0) return null;
  return {
    user: textOf(creds.slice(0, colon)),
    password: textOf(creds.slice(colon + 1)),
  };
}

/** The password an svcrack From tag carries, as a guess; null for any other tag. */
export function sipviciousGuess(fromTag: string | null | undefined): Guess | null {
  if (fromTag === null || fromTag === undefined) return null;
  const tag = decodeSipviciousTag(fromTag);
  return tag === null ? null : { password: tag.password, source: 'sipvicious_tag' };
}

export interface RecoverInput {
  readonly auth: DigestCredentials;
  /** Request method (digest HA2 input). */
  readonly method: string;
  /** From tag of the request, for the svcrack decoding. */
  readonly fromTag: string | null;
  /** The extension's password when the user exists and has one. */
  readonly configuredPassword: string | null;
}

export interface RecoverResult {
  /** true/false: checked against the configured password; null: no password to check against. */
  readonly authOk: boolean | null;
  readonly guess: Guess | null;
}

/** Header text is latin1 (one char per byte); config text is Unicode: compare as bytes. */
function wire(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** Stateful only through its caches, which are bounded. */
export class CredentialRecovery {
  readonly #words: readonly string[];
  readonly #cache: LruMap<string, string | null>;
  /** HA1 values per (user, realm): saves one MD5 per word on repeated users. */
  readonly #ha1: LruMap<string, readonly string[]>;

  constructor(wordlist: readonly string[], cacheSize = 4096) {
    this.#words = wordlist.slice(0, MAX_WORDLIST_WORDS);
    this.#cache = new LruMap(cacheSize);
    this.#ha1 = new LruMap(64);
  }

  /** Checks a digest answer against the configured password, then recovers a guess. */
  recover(input: RecoverInput): RecoverResult {
    const { auth } = input;
    const user = auth.username ?? '';
    const realm = auth.realm ?? '';
    const fields = {
      method: input.method,
      uri: auth.uri ?? '',
      nonce: auth.nonce ?? '',
      qop: auth.qop,
      nc: auth.nc,
      cnonce: auth.cnonce,
    };
    const response = (auth.response ?? '').toLowerCase();
    let authOk: boolean | null = null;
    if (input.configuredPassword !== null) {
      const expected = digestFromHa1(
        md5Hex(`${user}:${realm}:${wire(input.configuredPassword)}`),
        fields,
      );
      authOk = expected === response;
      if (authOk)
        return { authOk, guess: { password: input.configuredPassword, source: 'configured' } };
    }
    const tagGuess = sipviciousGuess(input.fromTag);
    if (tagGuess) return { authOk, guess: tagGuess };
    if (this.#words.length === 0 || response === '') return { authOk, guess: null };
    const key = [
      user,
      realm,
      fields.nonce,
      fields.uri,
      response,
      fields.nc ?? '',
      fields.cnonce ?? '',
    ].join('\0');
    const cached = this.#cache.get(key);
    if (cached !== undefined)
      return { authOk, guess: cached === null ? null : { password: cached, source: 'wordlist' } };
    const ha1Key = `${user}\0${realm}`;
    let ha1s = this.#ha1.get(ha1Key);
    if (!ha1s) {
      ha1s = this.#words.map((w) => md5Hex(`${user}:${realm}:${wire(w)}`));
      this.#ha1.set(ha1Key, ha1s);
    }
    let found: string | null = null;
    for (let i = 0; i < ha1s.length; i++) {
      if (digestFromHa1(ha1s[i] ?? '', fields) === response) {
        found = this.#words[i] ?? null;
        break;
      }
    }
    this.#cache.set(key, found);
    return { authOk, guess: found === null ? null : { password: found, source: 'wordlist' } };
  }
}
