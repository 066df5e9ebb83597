/**
 * @module
 * HTTP Digest for SIP (RFC 2617 as used by RFC 3261 §22.4, MD5 only):
 * read Authorization / WWW-Authenticate values, write challenges, and
 * compute the response a client should have sent. Pure (node:crypto only).
 * A missing or malformed field yields null, never an exception.
 */
import { createHash } from 'node:crypto';

export interface DigestCredentials {
  readonly scheme: string;
  readonly username: string | null;
  readonly realm: string | null;
  readonly nonce: string | null;
  readonly uri: string | null;
  readonly response: string | null;
  readonly algorithm: string | null;
  readonly qop: string | null;
  readonly nc: string | null;
  readonly cnonce: string | null;
  readonly opaque: string | null;
  /** Every parameter, names lower-cased, values unquoted. */
  readonly params: ReadonlyMap<string, string>;
}

/** Most parameters read from one header: the rest is ignored. */
export const MAX_PARAMS = 32;

/**
 * The `name=value` parameters after the scheme. A quoted value ends at its
 * closing quote (backslash escapes honoured), even an empty one
 * (`username=""`) and even when no comma follows it: the next parameter
 * starts after it, so no value can swallow the ones behind it.
 */
function readParams(text: string): Map<string, string> {
  const params = new Map<string, string>();
  const n = text.length;
  let i = 0;
  const skipSeparators = (): void => {
    while (i < n && (text[i] === ',' || text[i] === ' ' || text[i] === '\t')) i++;
  };
  for (let count = 0; count < MAX_PARAMS; count++) {
    skipSeparators();
    if (i >= n) break;
    const nameStart = i;
    while (i < n && text[i] !== '=' && text[i] !== ',' && text[i] !== '"') i++;
    const name = text.slice(nameStart, i).trim().toLowerCase();
    if (text[i] !== '=') {
      // A bare word or stray quote: skip to the next comma.
      while (i < n && text[i] !== ',') i++;
      continue;
    }
    i++; // '='
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    let value: string;
    if (text[i] === '"') {
      const start = ++i;
      let escaped = false;
      while (i < n && text[i] !== '"') {
        if (text[i] === '\\') {
          escaped = true;
          i++;
        }
        i++;
      }
      const inner = text.slice(start, Math.min(i, n));
      value = escaped ? inner.replace(/\\(.)/gs, '$1') : inner;
      i++; // closing quote (or the end)
    } else {
      const start = i;
      while (i < n && text[i] !== ',' && text[i] !== ' ' && text[i] !== '\t') i++;
      value = text.slice(start, i);
    }
    if (name !== '' && !params.has(name)) params.set(name, value);
  }
  return params;
}

/**
 * Parses `Digest username="100",realm="asterisk",...` (also used for
 * WWW-Authenticate). Null when there is no scheme token. Bounded: at most
 * 32 parameters are read.
 */
export function parseDigest(value: string): DigestCredentials | null {
  const m = /^\s*([A-Za-z][A-Za-z0-9-]*)\s*(.*)$/s.exec(value);
  if (!m) return null;
  const scheme = m[1] ?? '';
  const params = readParams(m[2] ?? '');
  const get = (k: string): string | null => params.get(k) ?? null;
  return {
    scheme,
    username: get('username'),
    realm: get('realm'),
    nonce: get('nonce'),
    uri: get('uri'),
    response: get('response'),
    algorithm: get('algorithm'),
    qop: get('qop'),
    nc: get('nc'),
    cnonce: get('cnonce'),
    opaque: get('opaque'),
    params,
  };
}

export interface Challenge {
  readonly realm: string;
  readonly nonce: string;
  /** `auth` adds `qop="auth"` (res_pjsip style); absent for chan_sip. */
  readonly qop?: string;
  readonly opaque?: string;
}

/**
 * Writes a WWW-Authenticate value. The chan_sip form is
 * `Digest algorithm=MD5, realm="asterisk", nonce="1bc3473a"` (field order as
 * Asterisk writes it); with qop/opaque it follows res_pjsip's order.
 */
export function formatChallenge(c: Challenge): string {
  if (c.qop === undefined && c.opaque === undefined)
    return `Digest algorithm=MD5, realm="${c.realm}", nonce="${c.nonce}"`;
  let out = `Digest realm="${c.realm}",nonce="${c.nonce}"`;
  if (c.opaque !== undefined) out += `,opaque="${c.opaque}"`;
  out += ',algorithm=MD5';
  if (c.qop !== undefined) out += `,qop="${c.qop}"`;
  return out;
}

export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'latin1').digest('hex');
}

export interface DigestInput {
  readonly username: string;
  readonly realm: string;
  readonly password: string;
  readonly method: string;
  readonly uri: string;
  readonly nonce: string;
  readonly qop?: string | null;
  readonly nc?: string | null;
  readonly cnonce?: string | null;
}

/**
 * The expected `response`. With qop=auth and both nc and cnonce it is
 * MD5(HA1:nonce:nc:cnonce:qop:HA2); otherwise the RFC 2069 form
 * MD5(HA1:nonce:HA2). svcrack claims `qop=auth` without nc/cnonce and
 * computes the RFC 2069 form, which Asterisk accepts: so do we.
 */
export function computeDigestResponse(d: DigestInput): string {
  const ha1 = md5Hex(`${d.username}:${d.realm}:${d.password}`);
  return digestFromHa1(ha1, d);
}

/** Same as computeDigestResponse with HA1 precomputed (wordlist search reuses it). */
export function digestFromHa1(
  ha1: string,
  d: Pick<DigestInput, 'method' | 'uri' | 'nonce' | 'qop' | 'nc' | 'cnonce'>,
): string {
  const ha2 = md5Hex(`${d.method}:${d.uri}`);
  if (d.qop && d.nc && d.cnonce)
    return md5Hex(`${ha1}:${d.nonce}:${d.nc}:${d.cnonce}:${d.qop}:${ha2}`);
  return md5Hex(`${ha1}:${d.nonce}:${ha2}`);
}

/** Formats an Authorization value a client would send (tests, the attack simulator). */
export function formatAuthorization(d: DigestInput & { response?: string }): string {
  const response = d.response ?? computeDigestResponse(d);
  let out = `Digest username="${d.username}", realm="${d.realm}", nonce="${d.nonce}", uri="${d.uri}", response="${response}", algorithm=MD5`;
  if (d.qop) {
    out += `, qop=${d.qop}`;
    if (d.nc) out += `, nc=${d.nc}`;
    if (d.cnonce) out += `, cnonce="${d.cnonce}"`;
  }
  return out;
}
