/**
 * @module
 * res_pjsip's digest authentication (res_pjsip_authenticator_digest):
 * every request that names no endpoint, or whose endpoint has a password,
 * is challenged before anything else looks at it. Endpoints are found by
 * the From user (`identify_by=username`); a user that matches none meets
 * the "artificial" endpoint, whose challenge looks the same and which no
 * password passes. Nonces are stateless (`<seconds>/<hash>`, valid for 32
 * s from the address they were given to), so any number of answers may
 * use one nonce. A wrong password, or a digest for another user, gets a
 * fresh 401, never 403; a right password on a nonce that is not ours or
 * too old gets a 401 with `stale=true`.
 */
import type { ExtensionConfig } from '../../../config/types.js';
import { parseNameAddr } from '../../../sip/address.js';
import { getHeader } from '../../../sip/headers.js';
import { digestFields, requestDigest } from '../../../sip-fields/digest.js';
import type { Answer, RequestScope } from '../scope.js';
import type { PjsipPbx } from './pbx.js';

/** The endpoint a request speaks for: its From user, if configured. */
export function endpointOf(scope: RequestScope): ExtensionConfig | null {
  const user = parseNameAddr(getHeader(scope.req, 'From') ?? '')?.uri?.user ?? '';
  return scope.pbx.peers.byName(user);
}

/** `Digest realm=…,nonce=…,opaque=…[,stale=true],algorithm=MD5,qop="auth"`, pjsip's order. */
export function pjsipChallenge(realm: string, nonce: string, opaque: string, stale: boolean) {
  const staleParam = stale ? ',stale=true' : '';
  return `Digest realm="${realm}",nonce="${nonce}",opaque="${opaque}"${staleParam},algorithm=MD5,qop="auth"`;
}

type Verdict = 'accept' | 'challenge' | 'stale';

/** Checks the request's digest and fills the event's auth fields. */
function verify(scope: RequestScope, pj: PjsipPbx, endpoint: ExtensionConfig | null): Verdict {
  if (endpoint !== null && endpoint.password === null) return 'accept';
  const auth = requestDigest(scope.req);
  if (auth === null) return 'challenge';
  const rec = scope.pbx.credentials.recover({
    auth,
    method: scope.req.method,
    fromTag: scope.fields.from_tag ?? null,
    configuredPassword: endpoint?.password ?? null,
  });
  Object.assign(scope.fields, digestFields(auth, rec));
  if (endpoint === null || auth.scheme.toLowerCase() !== 'digest') return 'challenge';
  if (auth.username !== endpoint.number || auth.realm !== pj.realm) return 'challenge';
  if (rec.authOk !== true) return 'challenge';
  return pj.nonceValid(auth.nonce ?? '', scope.ctx.srcIp, scope.ctx.now) ? 'accept' : 'stale';
}

/**
 * Null when the request may go on; else the 401, sent statelessly: never
 * retransmitted, and a retransmitted request gets a new one (a new opaque).
 */
export function authenticate(scope: RequestScope, pj: PjsipPbx): Answer | null {
  const verdict = verify(scope, pj, endpointOf(scope));
  if (verdict === 'accept') return null;
  const nonce = pj.nonce(scope.ctx.srcIp, scope.ctx.now);
  const challenge = pjsipChallenge(pj.realm, nonce, pj.opaque(), verdict === 'stale');
  const reason = scope.pbx.profile.reasons.unauthorized;
  const toTag = pj.branchTag(scope.req);
  return { ...pj.reply(scope, { status: 401, reason, toTag, challenge }, false), stateless: true };
}
