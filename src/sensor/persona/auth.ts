/**
 * @module
 * chan_sip's digest decision (check_auth / transmit_fake_auth_response),
 * as a pure function of the request, the peer and the dialog's nonce:
 * challenge, accept, reject, or re-challenge a stale nonce. It also fills
 * the auth fields of the event (user, realm, outcome, recovered password).
 * Mutates only the dialog state it is given.
 */
import type { ExtensionConfig } from '../../config/types.js';
import type { SipRequest } from '../../sip/message.js';
import type { CredentialRecovery } from '../../sip-fields/credentials.js';
import { digestFields, requestDigest } from '../../sip-fields/digest.js';
import type { DialogState } from './state.js';
import type { PersonaFields } from './types.js';

export type AuthOutcome =
  /** Send 401 with this nonce (stale: the password was right but the nonce was not ours or used). */
  | { readonly kind: 'challenge'; readonly nonce: string; readonly stale: boolean }
  | { readonly kind: 'accept' }
  /** 403; `mismatch`: the digest username is not the peer's name. */
  | { readonly kind: 'reject'; readonly mismatch: boolean };

export interface AuthInput {
  readonly req: SipRequest;
  /** The matched peer; null: unknown user under always_auth_reject (a fake challenge). */
  readonly peer: ExtensionConfig | null;
  /** The name the request claims (To user for REGISTER, From user otherwise). */
  readonly peerName: string;
  readonly dialog: DialogState;
  readonly newNonce: () => string;
  readonly credentials: CredentialRecovery;
}

/** Decides; `fields` receives auth_user, auth_realm, auth_ok, password_guess, guess_source. */
export function checkAuth(input: AuthInput, fields: PersonaFields): AuthOutcome {
  const { req, peer, dialog } = input;
  if (peer !== null && peer.password === null) return { kind: 'accept' };
  const auth = requestDigest(req);
  if (auth) {
    const rec = input.credentials.recover({
      auth,
      method: req.method,
      fromTag: fields.from_tag ?? null,
      configuredPassword: peer?.password ?? null,
    });
    Object.assign(fields, digestFields(auth, rec));
  }
  if (!auth || auth.scheme.toLowerCase() !== 'digest' || dialog.nonce === null) {
    return challenge(input, false);
  }
  if (peer !== null && auth.username !== input.peerName) return { kind: 'reject', mismatch: true };
  const good = fields.auth_ok === true;
  const wrongNonce = auth.nonce !== dialog.nonce || dialog.nonceUsed;
  if (!wrongNonce) dialog.nonceUsed = true;
  if (wrongNonce) return challenge(input, good);
  return good ? { kind: 'accept' } : { kind: 'reject', mismatch: false };
}

function challenge(input: AuthInput, stale: boolean): AuthOutcome {
  const nonce = input.newNonce();
  input.dialog.nonce = nonce;
  input.dialog.nonceUsed = false;
  return { kind: 'challenge', nonce, stale };
}
