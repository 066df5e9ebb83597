/**
 * @module
 * A response as res_pjsip (pjproject 2.17) writes it: pjproject prints
 * every header from its parsed form, so nothing is echoed byte for byte.
 * Order: Via (the top one with `;rport=PORT;received=IP` before the
 * branch), Call-ID, From, To (name-addrs re-printed: `"name" <uri>;params`),
 * CSeq, WWW-Authenticate, the headers Asterisk adds before `Server`, then
 * `Server`, the headers added after it, and `Content-Length:  0` (two
 * spaces, always last; pjsip never sends a body here). Pure.
 */
import { getHeader, getHeaders } from '../../../sip/headers.js';
import type { SipRequest } from '../../../sip/message.js';
import { sanitizeHeaderValue, type HeaderLine } from '../../../sip/serialize.js';
import { parseCSeq } from '../../../sip/validate.js';
import { rewriteTopVia, tagTo } from '../response.js';

export interface PjsipResponseSpec {
  readonly status: number;
  readonly reason: string;
  /** Tag added to To when it has none; null: To without tag (100 Trying). */
  readonly toTag: string | null;
  /** The CSeq method, when not the request's (the 487 answering an INVITE on CANCEL). */
  readonly cseqMethod?: string;
  /** WWW-Authenticate value (right after CSeq). */
  readonly challenge?: string;
  /** Headers before Server (REGISTER 200: Date, Contact, Expires; OPTIONS: Accept...). */
  readonly before?: readonly HeaderLine[];
  /** Headers after Server (180: Contact, Allow; 486/487: Reason). */
  readonly after?: readonly HeaderLine[];
}

export interface PjsipWireContext {
  readonly server: string;
  readonly srcIp: string;
  readonly srcPort: number;
}

/** Index of the first `<` outside a quoted display name, or -1. */
function openAngle(value: string): number {
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '<') return i;
  }
  return -1;
}

/**
 * A From or To value as pjsip prints it: `display <uri>;params`, the
 * display name as written (quotes kept) and one space before `<`; a bare
 * addr-spec gets its angle brackets.
 */
export function reprintNameAddr(value: string): string {
  const v = value.trim();
  const open = openAngle(v);
  if (open < 0) {
    const semi = v.indexOf(';');
    const uri = (semi < 0 ? v : v.slice(0, semi)).trim();
    const params = semi < 0 ? '' : v.slice(semi).replace(/\s+/g, '');
    return `<${uri}>${params}`;
  }
  const close = v.indexOf('>', open);
  if (close < 0) return v;
  const display = v.slice(0, open).trim();
  const uri = v.slice(open + 1, close).trim();
  const params = v.slice(close + 1).replace(/\s+/g, '');
  return `${display === '' ? '' : `${display} `}<${uri}>${params}`;
}

/** The response bytes. */
export function buildPjsipResponse(
  req: SipRequest,
  spec: PjsipResponseSpec,
  ctx: PjsipWireContext,
): Buffer {
  let head = `${sanitizeHeaderValue(`SIP/2.0 ${spec.status} ${spec.reason}`)}\r\n`;
  const line = (name: string, value: string): void => {
    head += `${name}: ${sanitizeHeaderValue(value)}\r\n`;
  };
  let first = true;
  for (const h of getHeaders(req.headers, 'Via')) {
    line('Via', first ? rewriteTopVia(h.value, 'inplace', ctx.srcIp, ctx.srcPort) : h.value);
    first = false;
  }
  const callId = getHeader(req, 'Call-ID');
  if (callId !== undefined) line('Call-ID', callId.trim());
  const from = getHeader(req, 'From');
  if (from !== undefined) line('From', reprintNameAddr(from));
  const to = getHeader(req, 'To');
  if (to !== undefined) line('To', tagTo(reprintNameAddr(to), spec.toTag));
  const cseq = parseCSeq(getHeader(req, 'CSeq') ?? '');
  if (cseq !== null) line('CSeq', `${cseq.seq} ${spec.cseqMethod ?? cseq.method}`);
  if (spec.challenge !== undefined) line('WWW-Authenticate', spec.challenge);
  for (const h of spec.before ?? []) line(h[0], h[1]);
  line('Server', ctx.server);
  for (const h of spec.after ?? []) line(h[0], h[1]);
  head += 'Content-Length:  0\r\n\r\n';
  return Buffer.from(head, 'latin1');
}
