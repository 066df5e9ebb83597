/**
 * @module
 * Builds a response to a request the way the persona's PBX writes it
 * (RFC 3261 §8.2.6): Via, From, To, Call-ID and CSeq copied from the
 * request in the profile's order, long-form names whatever the request
 * used, Via rewritten with received/rport (RFC 3581), To tagged, then
 * Server, Allow, Supported, the extra headers and Content-Length last.
 * Never a canned reply; never a body.
 */
import { getHeaders, getHeader } from '../../sip/headers.js';
import type { SipRequest } from '../../sip/message.js';
import { sanitizeHeaderValue, type HeaderLine } from '../../sip/serialize.js';
import type { PersonaProfile } from './profile.js';

export interface ResponseSpec {
  readonly status: number;
  readonly reason: string;
  /** Tag added to To when the request's To has none; null: To copied unchanged (100 Trying). */
  readonly toTag: string | null;
  /** Extra headers, in order, written after Supported. */
  readonly extra?: readonly HeaderLine[];
  /** WWW-Authenticate value, placed where the profile puts it. */
  readonly challenge?: string;
}

export interface ResponseContext {
  readonly profile: PersonaProfile;
  readonly server: string;
  readonly srcIp: string;
  readonly srcPort: number;
}

/** `1.2.3.4` or `[2001:db8::1]`: how an address appears in Via received. */
export function addressForVia(ip: string): string {
  return ip.includes(':') && !ip.startsWith('[') ? `[${ip}]` : ip;
}

/** A `;rport` without a value. */
const BARE_RPORT = /;\s*rport(?=\s*(;|,|$))/i;
const TAG_PARAM = /;\s*tag\s*=/i;

/**
 * Rewrites the top Via value. chan_sip (`append`) removes a bare `;rport`
 * and appends `;received=IP;rport=PORT`, or only `;received=IP` when the
 * client did not ask for rport. pjsip (`inplace`) writes
 * `;rport=PORT;received=IP` right after sent-by, whether the client asked
 * for rport or not (Asterisk 20.20.1, pjproject 2.17).
 */
export function rewriteTopVia(
  value: string,
  style: PersonaProfile['viaStyle'],
  ip: string,
  port: number,
): string {
  const received = addressForVia(ip);
  const bare = BARE_RPORT;
  if (style === 'inplace') {
    // pjsip: rport (asked for or not) and received go right after sent-by, before the branch.
    const semi = value.indexOf(';');
    const head = semi < 0 ? value : value.slice(0, semi);
    const params = semi < 0 ? '' : value.slice(semi).replace(bare, '');
    return `${head};rport=${port};received=${received}${params}`;
  }
  if (!bare.test(value)) return `${value};received=${received}`;
  return `${value.replace(bare, '')};received=${received};rport=${port}`;
}

/** Adds `;tag=` to a To value unless it already has one. */
export function tagTo(value: string, tag: string | null): string {
  if (tag === null) return value;
  // A tag parameter after the URI (outside <>) means the request is in a dialog.
  const afterUri = value.includes('>') ? value.slice(value.lastIndexOf('>')) : value;
  if (TAG_PARAM.test(afterUri)) return value;
  return `${value};tag=${tag}`;
}

/** The response bytes. */
export function buildResponse(req: SipRequest, spec: ResponseSpec, ctx: ResponseContext): Buffer {
  const { profile } = ctx;
  // Written straight into one string (serializeParts' format: CRLF line ends, values
  // sanitised so no echoed text can forge a line).
  let head = `${sanitizeHeaderValue(`SIP/2.0 ${spec.status} ${spec.reason}`)}\r\n`;
  const line = (name: string, value: string): void => {
    head += `${name}: ${sanitizeHeaderValue(value)}\r\n`;
  };
  for (const name of profile.echoOrder) {
    if (name === 'Via') {
      let i = 0;
      for (const h of getHeaders(req.headers, 'Via')) {
        line(
          'Via',
          i++ === 0 ? rewriteTopVia(h.value, profile.viaStyle, ctx.srcIp, ctx.srcPort) : h.value,
        );
      }
      continue;
    }
    const value = getHeader(req, name);
    if (value === undefined) continue;
    line(name, name === 'To' ? tagTo(value, spec.toTag) : value);
  }
  if (spec.challenge !== undefined && profile.challengeBeforeServer)
    line('WWW-Authenticate', spec.challenge);
  line('Server', ctx.server);
  const isOptions = getHeader(req, 'CSeq')?.trim().endsWith('OPTIONS') === true;
  if (profile.allowOnEveryResponse || isOptions) {
    line('Allow', profile.allow);
    line('Supported', profile.supported);
  }
  if (spec.challenge !== undefined && !profile.challengeBeforeServer)
    line('WWW-Authenticate', spec.challenge);
  for (const h of spec.extra ?? []) line(h[0], h[1]);
  line('Content-Length', `${profile.contentLengthSeparator.slice(1)}0`);
  head += '\r\n';
  return Buffer.from(head, 'latin1');
}
