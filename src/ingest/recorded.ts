/**
 * @module
 * Event fields of a recorded SIP message (a Honeynet record, a packet of a
 * capture): the fields the sensor reads from any message, plus what a
 * recorded request tells about authentication: the digest username and
 * realm, and the plaintext guess when an svcrack From tag carries it.
 * Whether the digest was right is unknown here (no password to check
 * against): `auth_ok` stays null unless a capture holds the answer
 * (capture.ts).
 *
 * Must never throw on a hostile message.
 */
import type { SipMessage } from '../sip/message.js';
import { sipviciousGuess } from '../sip-fields/credentials.js';
import { digestFields, requestDigest } from '../sip-fields/digest.js';
import { messageFields, type SipFields } from '../sip-fields/fields.js';

/** The fields of one recorded message, authentication included. */
export function recordedFields(msg: SipMessage, size: number): SipFields {
  const fields = messageFields(msg, size);
  if (msg.kind !== 'request') return fields;
  const auth = requestDigest(msg);
  if (auth === null) return fields;
  // Filled in place: messageFields returns a fresh object.
  return Object.assign(fields, digestFields(auth, { guess: sipviciousGuess(fields.from_tag) }));
}
