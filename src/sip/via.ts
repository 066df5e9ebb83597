/**
 * @module
 * Via header values (RFC 3261 §20.42): `SIP/2.0/UDP host:port;branch=...;rport`.
 * Parsing keeps the parameters in the order sent so a responder can rewrite
 * `rport` in place and add `received` (RFC 3581) without reordering.
 * Returns null for a value it cannot read; never throws.
 */
import { splitOutsideQuotes } from './headers.js';
import { Memo } from './memo.js';
import { splitHostPort } from './uri.js';

export interface ViaParam {
  readonly name: string;
  /** null: the parameter had no `=` (e.g. a bare `rport`). */
  readonly value: string | null;
}

export interface Via {
  /** `SIP/2.0`. */
  readonly protocol: string;
  /** Upper-cased transport token (`UDP`, `TCP`, `TLS`, or anything sent). */
  readonly transport: string;
  readonly host: string;
  readonly port: number | null;
  /** Parameters in the order sent. */
  readonly params: readonly ViaParam[];
  /** The sent-protocol and sent-by text as written (everything before the first `;`). */
  readonly sentText: string;
}

const SENT_PROTOCOL_RE = /^([^\s/]+)\s*\/\s*([^\s/]+)\s*\/\s*([^\s/]+)\s+(.+)$/s;

/** Parses one Via element (split a comma-joined Via first). */
export function parseVia(value: string): Via | null {
  return VIA_MEMO.get(value, parseViaUncached);
}

const VIA_MEMO = new Memo<Via | null>(4);

function parseViaUncached(value: string): Via | null {
  const parts = splitOutsideQuotes(value.trim(), ';');
  const sentText = (parts[0] ?? '').trim();
  const m = SENT_PROTOCOL_RE.exec(sentText);
  if (!m) return null;
  const hp = splitHostPort((m[4] ?? '').trim());
  if (!hp) return null;
  const params: ViaParam[] = [];
  for (const raw of parts.slice(1)) {
    const p = raw.trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    params.push(
      eq < 0
        ? { name: p, value: null }
        : { name: p.slice(0, eq).trim(), value: p.slice(eq + 1).trim() },
    );
  }
  return {
    protocol: `${m[1] ?? ''}/${m[2] ?? ''}`,
    transport: (m[3] ?? '').toUpperCase(),
    host: hp.host,
    port: hp.port,
    params,
    sentText,
  };
}

/** The value of a Via parameter (case-insensitive name); undefined when absent, null when bare. */
export function viaParam(via: Via, name: string): string | null | undefined {
  const want = name.toLowerCase();
  return via.params.find((p) => p.name.toLowerCase() === want)?.value;
}

/** Writes a Via back: sent-by as written, then the parameters in order. */
export function formatVia(via: Via): string {
  let out = via.sentText;
  for (const p of via.params) out += p.value === null ? `;${p.name}` : `;${p.name}=${p.value}`;
  return out;
}
