/**
 * @module
 * REGISTER as chan_sip answers it: 404 "Not found" for unknown users (unless
 * always_auth_reject), the digest exchange, then 200 with Expires,
 * Contact;expires and Date, the expiry clamped to [60, 3600] (minexpiry and
 * maxexpiry defaults; chan_sip 18 raises a short expiry instead of sending
 * 423). Expires 0 or `Contact: *` unregisters. Registrations are remembered
 * (bounded) for the source-address peer match.
 */
import { parseNameAddr } from '../../sip/address.js';
import { getHeader, getHeaderValues } from '../../sip/headers.js';
import { authenticate, findPeer } from './peer.js';
import type { Answer, RequestScope } from './scope.js';

export const MIN_EXPIRY_S = 60;
export const MAX_EXPIRY_S = 3600;
export const DEFAULT_EXPIRY_S = 120;

/** The expiry the client asked for: Contact's expires parameter, else Expires, else the default. */
export function requestedExpiry(scope: RequestScope): { seconds: number; contact: string | null } {
  const contactText = getHeaderValues(scope.req.headers, 'Contact')[0] ?? null;
  if (contactText !== null && contactText.trim() === '*') return { seconds: 0, contact: null };
  const contact = contactText === null ? null : parseNameAddr(contactText);
  const param = contact?.params.get('expires');
  const header = getHeader(scope.req, 'Expires');
  const text = param ?? header;
  let seconds = DEFAULT_EXPIRY_S;
  if (text !== undefined && /^\s*\d{1,10}\s*$/.test(text)) seconds = Number(text);
  return { seconds, contact: contact ? contact.uriText : null };
}

export function handleRegister(scope: RequestScope): Answer {
  const { pbx, ctx } = scope;
  const r = pbx.profile.reasons;
  const tag = pbx.dialogTag(scope);
  const denied = authenticate(scope, { status: 404, reason: r.notFoundPeer }, tag);
  if (denied) return denied;
  const { name } = findPeer(scope);
  const date = ['Date', ctx.now.toUTCString()] as const;
  const asked = requestedExpiry(scope);
  if (asked.seconds === 0) {
    pbx.peers.register(ctx, name, null);
    return pbx.reply(
      scope,
      { status: 200, reason: r.ok, toTag: tag, extra: [['Expires', '0'], date] },
      false,
    );
  }
  const seconds = Math.min(MAX_EXPIRY_S, Math.max(MIN_EXPIRY_S, asked.seconds));
  pbx.peers.register(ctx, name, ctx.now.getTime() + seconds * 1000);
  const extra: (readonly [string, string])[] = [['Expires', String(seconds)]];
  if (asked.contact !== null) extra.push(['Contact', `<${asked.contact}>;expires=${seconds}`]);
  extra.push(date);
  return pbx.reply(scope, { status: 200, reason: r.ok, toTag: tag, extra }, false);
}
