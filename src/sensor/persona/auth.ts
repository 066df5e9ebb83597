/**
 * @module
 * chan_sip's digest decision (check_auth / transmit_fake_auth_response),
 * as a pure function of the request, the peer and the dialog's nonce:
 * challenge, accept, reject, or re-challenge a stale nonce. It returns the
 * decision, the auth fields of the event (user, realm, outcome, recovered
 * password) and the dialog's next nonce state; the caller applies them.
 */
import type { ExtensionConfig } from '../../config/types.js';
import type { SipRequest } from '../../sip/message.js';
import type { CredentialRecovery } from '../../sip-fields/credentials.js';
import { digestFields, requestDigest } from '../../sip-fields/digest.js';
import type { PersonaFields } from './types.js';

export type AuthOutcome =
  /** Send 401 with this nonce (stale: the password was right but the nonce was not ours or used). */
  | { readonly kind: 'challenge'; readonly nonce: string; readonly stale: boolean }
  | { readonly kind: 'accept' }
  /** 403; `mismatch`: the digest username is not the peer's name. */
  | { readonly kind: 'reject'; readonly mismatch: boolean };

/** The dialog's challenge: the last nonce sent, and whether an answer to it was already checked. */
export interface NonceState {
  readonly nonce: string | null;
  readonly nonceUsed: boolean;
}

export interface AuthInput {
  readonly req: SipRequest;
  /** The matched peer; null: unknown user under always_auth_reject (a fake challenge). */
  readonly peer: ExtensionConfig | null;
  /** The name the request claims (To user for REGISTER, From user otherwise). */
  readonly peerName: string;
  /** The request's From tag (SIPVicious hides the password it tries there). */
  readonly fromTag: string | null;
  readonly challenge: NonceState;
  readonly newNonce: () => string;
  readonly credentials: CredentialRecovery;
}

/** The auth fields of an event. */
export type AuthFields = Pick<
  PersonaFields,
  'auth_user' | 'auth_realm' | 'auth_ok' | 'password_guess' | 'guess_source'
>;

export interface AuthDecision {
  readonly outcome: AuthOutcome;
  /** auth_user, auth_realm, auth_ok, password_guess, guess_source (empty without a digest). */
  readonly fields: AuthFields;
  /** The dialog's challenge after this request. */
  readonly challenge: NonceState;
}

/** Decides; no side effect beyond calling `newNonce`. */
export function checkAuth(input: AuthInput): AuthDecision {
  const { req, peer } = input;
  const fields: AuthFields = {};
  if (peer !== null && peer.password === null)
    return { outcome: { kind: 'accept' }, fields, challenge: input.challenge };
  const auth = requestDigest(req);
  let good = false;
  if (auth) {
    const rec = input.credentials.recover({
      auth,
      method: req.method,
      fromTag: input.fromTag,
      configuredPassword: peer?.password ?? null,
    });
    good = rec.authOk === true;
    Object.assign(fields, digestFields(auth, rec));
  }
  const { nonce, nonceUsed } = input.challenge;
  if (!auth || auth.scheme.toLowerCase() !== 'digest' || nonce === null)
    return challenge(input, fields, false);
  if (peer !== null && auth.username !== input.peerName)
    return { outcome: { kind: 'reject', mismatch: true }, fields, challenge: input.challenge };
  const wrongNonce = auth.nonce !== nonce || nonceUsed;
  if (wrongNonce) return challenge(input, fields, good);
  const used = { nonce, nonceUsed: true };
  return {
    outcome: good ? { kind: 'accept' } : { kind: 'reject', mismatch: false },
    fields,
    challenge: used,
  };
}

function challenge(input: AuthInput, fields: AuthFields, stale: boolean): AuthDecision {
  const nonce = input.newNonce();
  return {
    outcome: { kind: 'challenge', nonce, stale },
    fields,
    challenge: { nonce, nonceUsed: false },
  };
}
