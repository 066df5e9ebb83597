/**
 * @module
 * REGISTER after the digest, as res_pjsip_registrar answers it for an
 * address-of-record with `max_contacts=1` and `remove_existing=yes`: the
 * new contact replaces the old one, `Expires: 0` (or a contact's
 * `expires=0`) removes the contact named, `Contact: *` removes all. An
 * expiry is clamped to [60, 7200] (minimum_expiration and
 * maximum_expiration); none asked means 3600 (default_expiration). The
 * 200 lists every contact still bound, with its remaining seconds:
 * `Date`, `Contact: <uri>;expires=N` (N counts down from expiry - 1),
 * `Expires` (only when the request had one), then `Server`.
 */
import { parseNameAddr } from '../../../sip/address.js';
import { getHeader, getHeaderValues } from '../../../sip/headers.js';
import type { HeaderLine } from '../../../sip/serialize.js';
import type { Answer, RequestScope } from '../scope.js';
import type { PjsipPbx } from './pbx.js';

export const PJSIP_MIN_EXPIRY_S = 60;
export const PJSIP_MAX_EXPIRY_S = 7200;
export const PJSIP_DEFAULT_EXPIRY_S = 3600;

const clamp = (s: number): number =>
  s === 0 ? 0 : Math.min(PJSIP_MAX_EXPIRY_S, Math.max(PJSIP_MIN_EXPIRY_S, s));

/** A non-negative integer header or parameter value; null when absent or unreadable. */
function seconds(text: string | undefined): number | null {
  if (text === undefined || !/^\s*\d{1,10}\s*$/.test(text)) return null;
  return Number(text);
}

/** What the REGISTER asks: one contact (or `*`) with its expiry, and its Expires header. */
function asked(scope: RequestScope) {
  const header = seconds(getHeader(scope.req, 'Expires'));
  const first = getHeaderValues(scope.req.headers, 'Contact')[0];
  if (first === undefined) return { header, contact: null, all: false, expiry: 0 };
  if (first.trim() === '*') return { header, contact: null, all: true, expiry: 0 };
  const contact = parseNameAddr(first);
  const param = seconds(contact?.params.get('expires'));
  const expiry = clamp(param ?? header ?? PJSIP_DEFAULT_EXPIRY_S);
  return { header, contact: contact?.uriText ?? null, all: false, expiry };
}

/** 200 with the AOR's bindings after the update; 404 when To names another endpoint's AOR. */
export function handleRegister(scope: RequestScope, pj: PjsipPbx, endpoint: string): Answer {
  const { ctx } = scope;
  const r = scope.pbx.profile.reasons;
  const tag = pj.branchTag(scope.req);
  const aor = parseNameAddr(getHeader(scope.req, 'To') ?? '')?.uri?.user ?? '';
  if (aor !== endpoint)
    return pj.reply(scope, { status: 404, reason: r.notFound, toTag: tag }, false);
  const now = ctx.now.getTime();
  const want = asked(scope);
  const bound = pj.contacts.get(aor);
  if (want.all || (want.expiry === 0 && want.contact !== null && bound?.uri === want.contact))
    pj.contacts.delete(aor);
  else if (want.contact !== null && want.expiry > 0)
    pj.contacts.set(aor, { uri: want.contact, expiresAt: now + want.expiry * 1000 });
  const before: HeaderLine[] = [['Date', ctx.now.toUTCString()]];
  const current = pj.contacts.get(aor);
  if (current !== undefined && current.expiresAt > now) {
    const left = Math.max(0, Math.ceil((current.expiresAt - now) / 1000) - 1);
    before.push(['Contact', `<${current.uri}>;expires=${left}`]);
  }
  if (want.header !== null) before.push(['Expires', String(clamp(want.header))]);
  return pj.reply(scope, { status: 200, reason: r.ok, toTag: tag, before }, false);
}
