/**
 * @module
 * SUBSCRIBE and MESSAGE outside a dialog, in the order chan_sip 18 checks
 * them (handle_request_subscribe, receive_message). Some answers come
 * before the digest exchange: a SUBSCRIBE with a To tag (481), or with no
 * Event (489); a MESSAGE that is not `text/plain` (415). Then the digest
 * exchange, then the answer of an Asterisk whose dial plan routes `_X.`
 * (a digit and at least one more character, as the recorded reference's
 * from-internal context), with no hints and no mailboxes:
 *
 * - SUBSCRIBE presence/dialog: 404 "Not Found" when the Request-URI user is
 *   not routable; else 489 without a usable Accept; else 423 with
 *   Min-Expires for an Expires under 60 s; else 404 "Not found" (no hint
 *   for the extension);
 * - SUBSCRIBE message-summary: 406 when Accept headers name no
 *   `application/simple-message-summary`, else 404 "Not found (no mailbox)";
 * - SUBSCRIBE call-completion: 200 to `Expires: 0`, else 404 "Not Found";
 * - any other event package: 489 "Bad Event";
 * - MESSAGE: 202 "Accepted" when routable, else 404 "Not Found".
 *
 * The pjsip preset answers these in pjsip/dispatch.ts.
 */
import { parseNameAddr } from '../../sip/address.js';
import { getHeader, getHeaders } from '../../sip/headers.js';
import { parseUri } from '../../sip/uri.js';
import { authenticate } from './peer.js';
import { MIN_EXPIRY_S } from './register.js';
import type { Answer, RequestScope } from './scope.js';

/** A Request-URI user the reference dial plan's `_X.` pattern routes (both presets' notion). */
export function routable(user: string | null | undefined): boolean {
  return user !== null && user !== undefined && /^[0-9]./s.test(user);
}

/** One final answer with our To tag (these answers are never retransmitted). */
function say(
  scope: RequestScope,
  tag: string,
  status: number,
  reason: string,
  extra?: readonly (readonly [string, string])[],
): Answer {
  return scope.pbx.reply(scope, { status, reason, toTag: tag, ...(extra ? { extra } : {}) }, false);
}

/** Formats chan_sip recognises for presence and dialog subscriptions. */
const PRESENCE_FORMATS = [
  'application/pidf+xml',
  'application/dialog-info+xml',
  'application/cpim-pidf+xml',
  'application/xpidf+xml',
];

/** chan_sip builds "489 Bad Event (format X)" in a 200-byte buffer; the phrase is that line minus "489 ". */
const BAD_EVENT_LINE_MAX = 199;

/** Printable ASCII only: an echoed Accept value must not carry control bytes into our answer. */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}

/** C's atoi: leading blanks, a sign, digits; anything else reads as 0. */
function atoi(text: string): number {
  const m = /^[ \t]*([+-]?\d{1,10})/.exec(text);
  return m?.[1] === undefined ? 0 : Number(m[1]);
}

/** Values of every Accept header line, in order, as chan_sip walks them (stopping at an empty one). */
function acceptLines(scope: RequestScope): { present: boolean; values: string[] } {
  const headers = getHeaders(scope.req.headers, 'Accept');
  const values: string[] = [];
  for (const h of headers) {
    if (h.value === '') break;
    values.push(h.value);
  }
  return { present: headers.length > 0, values };
}

function presence(scope: RequestScope, tag: string): Answer {
  const r = scope.pbx.profile.reasons;
  if (!routable(parseUri(scope.req.uri)?.user)) return say(scope, tag, 404, r.notFound);
  let unknown: string | null = null;
  let known = false;
  for (const value of acceptLines(scope).values) {
    if (PRESENCE_FORMATS.some((f) => value.includes(f))) {
      known = true;
      break;
    }
    unknown = value;
  }
  if (!known) {
    if (unknown === null) return say(scope, tag, 489, r.badEvent);
    const line = `489 Bad Event (format ${printable(unknown)})`.slice(0, BAD_EVENT_LINE_MAX);
    return say(scope, tag, 489, line.slice(4));
  }
  const expires = getHeader(scope.req, 'Expires') ?? '';
  const seconds = expires === '' ? MIN_EXPIRY_S : atoi(expires);
  if (seconds > 0 && seconds < MIN_EXPIRY_S) {
    return say(scope, tag, 423, r.intervalTooSmall, [['Min-Expires', String(MIN_EXPIRY_S)]]);
  }
  return say(scope, tag, 404, r.notFoundPeer);
}

function messageSummary(scope: RequestScope, tag: string): Answer {
  const r = scope.pbx.profile.reasons;
  const { present, values } = acceptLines(scope);
  if (present && !values.includes('application/simple-message-summary')) {
    return say(scope, tag, 406, r.notAcceptable);
  }
  return say(scope, tag, 404, r.notFoundNoMailbox);
}

function callCompletion(scope: RequestScope, tag: string): Answer {
  const r = scope.pbx.profile.reasons;
  const expires = getHeader(scope.req, 'Expires');
  return expires !== undefined && /^\s*0+\s*$/.test(expires)
    ? say(scope, tag, 200, r.ok)
    : say(scope, tag, 404, r.notFound);
}

export function handleSubscribe(scope: RequestScope): Answer {
  const { pbx, req } = scope;
  const r = pbx.profile.reasons;
  const tag = pbx.dialogTag(scope);
  const event = getHeader(req, 'Event') ?? '';
  const toTag = parseNameAddr(getHeader(req, 'To') ?? '')?.tag ?? null;
  if (toTag !== null && toTag !== '') return say(scope, tag, 481, r.subscriptionDoesNotExist);
  if (event === '') return say(scope, tag, 489, r.badEvent);
  const denied = authenticate(scope, { status: 403, reason: r.forbidden }, tag);
  if (denied) return denied;
  switch (event.split(';', 1)[0] ?? '') {
    case 'presence':
    case 'dialog':
      return presence(scope, tag);
    case 'message-summary':
      return messageSummary(scope, tag);
    case 'call-completion':
      return callCompletion(scope, tag);
    default:
      return say(scope, tag, 489, r.badEvent);
  }
}

export function handleMessage(scope: RequestScope): Answer {
  const { pbx, req } = scope;
  const r = pbx.profile.reasons;
  const tag = pbx.dialogTag(scope);
  if (!(getHeader(req, 'Content-Type') ?? '').startsWith('text/plain')) {
    return say(scope, tag, 415, r.unsupportedMediaType);
  }
  const denied = authenticate(scope, { status: 403, reason: r.forbidden }, tag);
  if (denied) return denied;
  if (!routable(parseUri(req.uri)?.user)) return say(scope, tag, 404, r.notFound);
  return say(scope, tag, 202, r.accepted);
}
