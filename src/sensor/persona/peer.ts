/**
 * @module
 * Which peer a request speaks for (by name, then chan_sip's source-address
 * match) and the digest exchange wrapped in answers: 404/403 for unknown
 * users when always_auth_reject is off, 401 challenges, 403 rejections.
 */
import type { ExtensionConfig } from '../../config/types.js';
import { parseNameAddr } from '../../sip/address.js';
import { formatChallenge } from '../../sip/digest.js';
import { getHeader } from '../../sip/headers.js';
import { checkAuth } from './auth.js';
import type { Answer, RequestScope } from './scope.js';
import { detachOrNull } from './state.js';

/** The peer a request names: REGISTER by To user, others by From user, then by source address. */
export function findPeer(scope: RequestScope): { name: string; peer: ExtensionConfig | null } {
  const { peers } = scope.pbx;
  const header = scope.req.method === 'REGISTER' ? 'To' : 'From';
  const name = parseNameAddr(getHeader(scope.req, header) ?? '')?.uri?.user ?? '';
  const byName = peers.byName(name);
  if (byName) return { name, peer: byName };
  if (scope.req.method !== 'REGISTER') {
    const peer = peers.bySource(scope.ctx);
    if (peer) return { name: peer.number, peer };
  }
  return { name, peer: null };
}

/**
 * Runs the digest exchange. Returns null when the request may proceed,
 * or the answer (401 challenge, 403, or 404/403 for unknown users when
 * always_auth_reject is off).
 */
export function authenticate(
  scope: RequestScope,
  unknownStatus: { status: number; reason: string },
  tag: string,
): Answer | null {
  const { pbx, dialog, fields } = scope;
  const { name, peer } = findPeer(scope);
  if (peer === null && !pbx.peers.alwaysAuthReject) {
    return pbx.reply(
      scope,
      { status: unknownStatus.status, reason: unknownStatus.reason, toTag: tag },
      true,
    );
  }
  const decision = checkAuth({
    req: scope.req,
    peer,
    peerName: name,
    fromTag: fields.from_tag ?? null,
    challenge: { nonce: dialog.nonce, nonceUsed: dialog.nonceUsed },
    newNonce: () => pbx.nonce(scope.ctx.now),
    credentials: pbx.credentials,
  });
  Object.assign(fields, decision.fields);
  const nonce = decision.challenge.nonce;
  if (nonce !== dialog.nonce) dialog.nonce = detachOrNull(nonce);
  dialog.nonceUsed = decision.challenge.nonceUsed;
  const outcome = decision.outcome;
  if (outcome.kind === 'accept') return null;
  const r = pbx.profile.reasons;
  if (outcome.kind === 'reject') {
    const mismatch = outcome.mismatch && scope.req.method === 'REGISTER';
    const reason = mismatch ? r.authUserMismatch : r.forbidden;
    return pbx.reply(scope, { status: 403, reason, toTag: tag }, true);
  }
  const qop = pbx.profile.challengeQop;
  let challenge = formatChallenge({
    realm: pbx.realm,
    nonce: outcome.nonce,
    ...(qop ? { qop: 'auth', opaque: pbx.opaque() } : {}),
  });
  if (outcome.stale) challenge += qop ? ',stale=true' : ', stale=true';
  return pbx.reply(scope, { status: 401, reason: r.unauthorized, toTag: tag, challenge }, true);
}
