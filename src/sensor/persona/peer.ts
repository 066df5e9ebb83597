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
import type { Answer, RequestScope } from './asterisk.js';
import { checkAuth } from './auth.js';

/** The peer a request names: REGISTER by To user, others by From user, then by source address. */
export function findPeer(scope: RequestScope): { name: string; peer: ExtensionConfig | null } {
  const persona = scope.persona;
  const header = scope.req.method === 'REGISTER' ? 'To' : 'From';
  const name = parseNameAddr(getHeader(scope.req, header) ?? '')?.uri?.user ?? '';
  const byName = persona.config.extensions.find((e) => e.number === name);
  if (byName) return { name, peer: byName };
  if (scope.req.method !== 'REGISTER') {
    const reg = persona.registrations.get(`${scope.ctx.srcIp}|${scope.ctx.srcPort}`);
    if (reg && reg.expiresAt > scope.ctx.now.getTime()) {
      const peer = persona.config.extensions.find((e) => e.number === reg.extension);
      if (peer) return { name: peer.number, peer };
    }
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
  const persona = scope.persona;
  const { name, peer } = findPeer(scope);
  if (peer === null && !persona.alwaysAuthReject) {
    return persona.reply(
      scope,
      { status: unknownStatus.status, reason: unknownStatus.reason, toTag: tag },
      true,
    );
  }
  const outcome = checkAuth(
    {
      req: scope.req,
      peer,
      peerName: name,
      dialog: scope.dialog,
      newNonce: () => persona.newNonce(scope.ctx.now),
      credentials: persona.credentials,
    },
    scope.fields,
  );
  if (outcome.kind === 'accept') return null;
  if (outcome.kind === 'reject') {
    const reason =
      outcome.mismatch && scope.req.method === 'REGISTER'
        ? 'Authentication user name does not match account name'
        : persona.profile.reasons.forbidden;
    return persona.reply(scope, { status: 403, reason, toTag: tag }, true);
  }
  let challenge = formatChallenge({
    realm: persona.config.persona.realm,
    nonce: outcome.nonce,
    ...(persona.profile.challengeQop
      ? { qop: 'auth', opaque: persona.random32().toString(16).padStart(8, '0') }
      : {}),
  });
  if (outcome.stale) challenge += persona.profile.challengeQop ? ',stale=true' : ', stale=true';
  return persona.reply(
    scope,
    { status: 401, reason: persona.profile.reasons.unauthorized, toTag: tag, challenge },
    true,
  );
}
