/**
 * @module
 * sip:, sips: and tel: URIs (RFC 3261 §19.1, RFC 3966), and other schemes
 * kept opaque. Returns null for text that is not a URI; never throws.
 * The user part is unescaped (`%41` -> `A`); a malformed escape is kept as
 * sent rather than rejected, because attackers' odd users are data.
 */
import { NO_PARAMS, parseParams } from './headers.js';
import { Memo } from './memo.js';

export interface SipUri {
  /** Lower-cased scheme: `sip`, `sips`, `tel`, or any other (then only `opaque` is set). */
  readonly scheme: string;
  /** Unescaped user part (tel: the number); null when absent. */
  readonly user: string | null;
  readonly password: string | null;
  /** Host as written (IPv6 keeps its brackets); empty for tel: and opaque URIs. */
  readonly host: string;
  readonly port: number | null;
  /** URI parameters (`;transport=udp`), names lower-cased. */
  readonly params: ReadonlyMap<string, string>;
  /** URI headers (`?Subject=x`), raw. */
  readonly headers: string;
  /** Everything after `scheme:` as written. */
  readonly opaque: string;
}

/** Resolves `%XX` escapes; invalid sequences stay literal so nothing is lost. */
export function unescapeUriPart(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(/(%[0-9A-Fa-f]{2})+/g, (seq) => {
    try {
      return decodeURIComponent(seq);
    } catch {
      return seq.replace(/%([0-9A-Fa-f]{2})/g, (_m, hex: string) =>
        String.fromCharCode(parseInt(hex, 16)),
      );
    }
  });
}

const SCHEME_RE = /^([A-Za-z][A-Za-z0-9+.-]*):(.*)$/s;

const URI_MEMO = new Memo<SipUri | null>(6);

/** Parses a URI; null when `text` has no scheme or a sip/sips URI has no host. */
export function parseUri(text: string): SipUri | null {
  return URI_MEMO.get(text, parseUriUncached);
}

function parseUriUncached(text: string): SipUri | null {
  const m = SCHEME_RE.exec(text.trim());
  if (!m) return null;
  const scheme = (m[1] ?? '').toLowerCase();
  const rest = m[2] ?? '';
  if (scheme === 'tel') return parseTel(rest);
  if (scheme !== 'sip' && scheme !== 'sips') {
    return {
      scheme,
      user: null,
      password: null,
      host: '',
      port: null,
      params: NO_PARAMS,
      headers: '',
      opaque: rest,
    };
  }
  const q = rest.indexOf('?');
  const headers = q < 0 ? '' : rest.slice(q + 1);
  const beforeHeaders = q < 0 ? rest : rest.slice(0, q);
  // The user part may itself contain ';' (RFC 4475 semiuri): split at the last '@'.
  const at = beforeHeaders.lastIndexOf('@');
  let userinfo: string | null = null;
  let hostpart = beforeHeaders;
  if (at >= 0) {
    userinfo = beforeHeaders.slice(0, at);
    hostpart = beforeHeaders.slice(at + 1);
  }
  const semi = hostpart.indexOf(';');
  const hostport = semi < 0 ? hostpart : hostpart.slice(0, semi);
  const params = semi < 0 ? NO_PARAMS : parseParams(hostpart.slice(semi + 1));
  const hp = splitHostPort(hostport);
  if (!hp) return null;
  let user: string | null = null;
  let password: string | null = null;
  if (userinfo !== null) {
    const colon = userinfo.indexOf(':');
    user = unescapeUriPart(colon < 0 ? userinfo : userinfo.slice(0, colon));
    password = colon < 0 ? null : unescapeUriPart(userinfo.slice(colon + 1));
  }
  return { scheme, user, password, host: hp.host, port: hp.port, params, headers, opaque: rest };
}

function parseTel(rest: string): SipUri {
  const semi = rest.indexOf(';');
  const number = semi < 0 ? rest : rest.slice(0, semi);
  return {
    scheme: 'tel',
    user: unescapeUriPart(number),
    password: null,
    host: '',
    port: null,
    params: semi < 0 ? NO_PARAMS : parseParams(rest.slice(semi + 1)),
    headers: '',
    opaque: rest,
  };
}

/**
 * Splits `host[:port]` (IPv6 in brackets). Null when the host is empty, has
 * whitespace, or the port is not a number in 0..65535.
 */
export function splitHostPort(text: string): { host: string; port: number | null } | null {
  const t = text.trim();
  let host: string;
  let portText: string | null = null;
  if (t.startsWith('[')) {
    const close = t.indexOf(']');
    if (close < 0) return null;
    host = t.slice(0, close + 1);
    const after = t.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) return null;
      portText = after.slice(1);
    }
  } else {
    const colon = t.lastIndexOf(':');
    host = colon < 0 ? t : t.slice(0, colon);
    portText = colon < 0 ? null : t.slice(colon + 1);
  }
  if (host === '' || /[\s<>"]/.test(host)) return null;
  if (portText === null) return { host, port: null };
  if (!/^\d{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  return port > 65535 ? null : { host, port };
}
