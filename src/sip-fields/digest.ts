/**
 * @module
 * The event fields of a digest answer, written the same way by the sensor
 * (which can also check the answer against a configured password) and by
 * the importers of recorded traffic (which cannot): the digest username and
 * realm, whether the answer was right, and the plaintext password recovered
 * from it. Never throws on a hostile message.
 */
import { parseDigest, type DigestCredentials } from '../sip/digest.js';
import { getHeader } from '../sip/headers.js';
import type { SipRequest } from '../sip/message.js';
import type { Guess } from './credentials.js';
import { clip, type SipFields } from './fields.js';

/** The digest answer a request carries (Authorization, else Proxy-Authorization); null when none parses. */
export function requestDigest(req: SipRequest): DigestCredentials | null {
  const header = getHeader(req, 'Authorization') ?? getHeader(req, 'Proxy-Authorization');
  return header === undefined ? null : parseDigest(header);
}

export interface DigestVerdict {
  /** true/false: checked against a password; null: nothing to check against; absent: not asked. */
  readonly authOk?: boolean | null;
  readonly guess: Guess | null;
}

/** `auth_user`, `auth_realm`, `auth_ok` (when given), `password_guess` and `guess_source`. */
export function digestFields(auth: DigestCredentials, verdict: DigestVerdict): SipFields {
  const fields: SipFields = { auth_user: clip(auth.username), auth_realm: clip(auth.realm) };
  if (verdict.authOk !== undefined) fields.auth_ok = verdict.authOk;
  if (verdict.guess !== null) {
    fields.password_guess = clip(verdict.guess.password);
    fields.guess_source = verdict.guess.source;
  }
  return fields;
}
