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
import { getHeader } from '../sip/headers.js';
import type { SipMessage } from '../sip/message.js';
import { parseDigest } from '../sip/digest.js';
import { clip, messageFields } from '../sensor/persona/fields.js';
import { decodeSipviciousTag } from '../sensor/credentials.js';
import type { PersonaFields } from '../sensor/persona/types.js';

/** The fields of one recorded message, authentication included. */
export function recordedFields(msg: SipMessage, size: number): PersonaFields {
  const fields = messageFields(msg, size);
  if (msg.kind !== 'request') return fields;
  const header = getHeader(msg, 'Authorization') ?? getHeader(msg, 'Proxy-Authorization');
  const auth = header === undefined ? null : parseDigest(header);
  if (auth === null) return fields;
  // Filled in place: messageFields returns a fresh object.
  fields.auth_user = clip(auth.username);
  fields.auth_realm = clip(auth.realm);
  const tag =
    fields.from_tag === null || fields.from_tag === undefined
      ? null
      : decodeSipviciousTag(fields.from_tag);
  if (tag !== null) {
    fields.password_guess = clip(tag.password);
    fields.guess_source = 'sipvicious_tag';
  }
  return fields;
}
