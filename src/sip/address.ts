/**
 * @module
 * From / To / Contact values: `"Display" <uri>;tag=x`, `Display <uri>`,
 * `Display<uri>` (no space, RFC 4475 lwsdisp) and bare `uri;tag=x`
 * (RFC 3261 §20.10: then URI parameters are header parameters).
 * Returns null for values that cannot be read; never throws.
 */
import { NO_PARAMS, parseParams, unquote } from './headers.js';
import { Memo } from './memo.js';
import { parseUri, type SipUri } from './uri.js';

export interface NameAddr {
  /** Display name without quotes; null when absent. */
  readonly display: string | null;
  /** The URI text as written (without `<>`). */
  readonly uriText: string;
  /** The parsed URI; null when the text is not a URI we read. */
  readonly uri: SipUri | null;
  /** Header parameters (`tag`, `expires`, ...), names lower-cased. */
  readonly params: ReadonlyMap<string, string>;
  /** `tag` parameter, or null. */
  readonly tag: string | null;
}

/** Index of the first `<` outside a quoted display name, or -1. */
function findOpenAngle(value: string): number {
  let inQuote = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (inQuote) {
      if (ch === '\\') i++;
      else if (ch === '"') inQuote = false;
    } else if (ch === '"') inQuote = true;
    else if (ch === '<') return i;
  }
  return inQuote ? -2 : -1;
}

/**
 * Parses a name-addr or addr-spec. Null when a quoted display name is not
 * closed (RFC 4475 quotbal), `<` has no `>`, or the value is empty.
 */
export function parseNameAddr(value: string): NameAddr | null {
  return NAME_ADDR_MEMO.get(value, parseNameAddrUncached);
}

const NAME_ADDR_MEMO = new Memo<NameAddr | null>(4);

function parseNameAddrUncached(value: string): NameAddr | null {
  const v = value.trim();
  if (v === '') return null;
  const open = findOpenAngle(v);
  if (open === -2) return null;
  if (open >= 0) {
    const close = v.indexOf('>', open);
    if (close < 0) return null;
    const displayRaw = v.slice(0, open).trim();
    const display = displayRaw === '' ? null : unquote(displayRaw);
    const uriText = v.slice(open + 1, close).trim();
    const rest = v.slice(close + 1).trim();
    const params = rest.startsWith(';') ? parseParams(rest.slice(1)) : NO_PARAMS;
    return { display, uriText, uri: parseUri(uriText), params, tag: params.get('tag') ?? null };
  }
  if (v.startsWith('"')) return null;
  // addr-spec: header parameters follow the first ';' (no URI params possible).
  const semi = v.indexOf(';');
  const uriText = (semi < 0 ? v : v.slice(0, semi)).trim();
  const params = semi < 0 ? NO_PARAMS : parseParams(v.slice(semi + 1));
  return { display: null, uriText, uri: parseUri(uriText), params, tag: params.get('tag') ?? null };
}
