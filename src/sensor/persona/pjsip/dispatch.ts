/**
 * @module
 * The `pjsip` preset's answer to a well-formed request, in res_pjsip's
 * order: silence for a Request-URI pjproject cannot parse; a BYE or CANCEL that matches no call gets 481 at once (the
 * distributor finds no dialog for it); every other request meets the
 * digest first (OPTIONS and unknown methods too), and only a request that
 * passed it reaches the module for its method:
 *
 * - OPTIONS: 200 to the bare host or an extension the dial plan routes,
 *   else 404, both with Accept, Allow, Supported, Accept-Encoding and
 *   Accept-Language before Server;
 * - REGISTER: the registrar (registrar.ts); INVITE: the session (session.ts);
 * - SUBSCRIBE: 404 for presence, dialog and message-summary (no hints, no
 *   mailboxes), 489 Bad Event for any other or no event package;
 * - MESSAGE: 202 Accepted to a routed extension, else 404;
 * - PUBLISH: 489 Bad Event; a Request-URI that is not sip or sips: 416;
 *   anything else (NOTIFY, REFER, INFO, UPDATE,
 *   PRACK, unknown methods): 501 Not Implemented.
 */
import { getHeader } from '../../../sip/headers.js';
import type { HeaderLine } from '../../../sip/serialize.js';
import { parseUri } from '../../../sip/uri.js';
import type { Answer, RequestScope } from '../scope.js';
import { routable } from '../subscribe.js';
import { authenticate, endpointOf } from './auth.js';
import type { PjsipPbx } from './pbx.js';
import { handleRegister } from './registrar.js';
import { handleCancel, handleInvite } from './session.js';

const SUBSCRIBE_PACKAGES = new Set(['presence', 'dialog', 'message-summary']);

function say(scope: RequestScope, pj: PjsipPbx, status: number, reason: string): Answer {
  return pj.reply(scope, { status, reason, toTag: pj.branchTag(scope.req) }, false);
}

function options(scope: RequestScope, pj: PjsipPbx): Answer {
  const { profile } = scope.pbx;
  const user = parseUri(scope.req.uri)?.user ?? '';
  const found = user === '' || routable(user);
  const before: HeaderLine[] = [
    ['Accept', profile.accept],
    ['Allow', profile.allow],
    ['Supported', profile.supported],
    ['Accept-Encoding', 'identity'],
    ['Accept-Language', 'en'],
  ];
  const status = found ? 200 : 404;
  const reason = found ? profile.reasons.ok : profile.reasons.notFound;
  return pj.reply(scope, { status, reason, toTag: pj.branchTag(scope.req), before }, false);
}

/** The answer to a well-formed request that is not a retransmission. */
export function dispatchPjsip(scope: RequestScope, pj: PjsipPbx, seq: number): Answer {
  const { req } = scope;
  const r = scope.pbx.profile.reasons;
  const ruri = parseUri(req.uri);
  // pjproject's parser drops a request whose Request-URI it cannot read.
  if (ruri === null) return { replies: [], response: null };
  if (req.method === 'BYE')
    return { ...say(scope, pj, 481, r.callLegDoesNotExist), stateless: true };
  if (req.method === 'CANCEL') return handleCancel(scope, pj, seq);
  const denied = authenticate(scope, pj);
  if (denied !== null) return denied;
  if (ruri.scheme !== 'sip' && ruri.scheme !== 'sips')
    return say(scope, pj, 416, r.unsupportedScheme);
  switch (req.method) {
    case 'OPTIONS':
      return options(scope, pj);
    case 'REGISTER':
      return handleRegister(scope, pj, endpointOf(scope)?.number ?? '');
    case 'INVITE':
      return handleInvite(scope, pj);
    case 'SUBSCRIBE': {
      const event = (getHeader(req, 'Event') ?? '').split(';', 1)[0]?.trim() ?? '';
      if (SUBSCRIBE_PACKAGES.has(event)) return say(scope, pj, 404, r.notFound);
      return say(scope, pj, 489, r.badEvent);
    }
    case 'MESSAGE':
      if (!routable(parseUri(req.uri)?.user)) return say(scope, pj, 404, r.notFound);
      return say(scope, pj, 202, r.accepted);
    case 'PUBLISH':
      return say(scope, pj, 489, r.badEvent);
    default:
      return say(scope, pj, 501, r.notImplemented);
  }
}
