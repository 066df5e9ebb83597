/**
 * @module
 * The SIP fields of an event, read from a parsed message: what the sensor's
 * persona and the importers of recorded traffic both write. Attacker text is
 * turned into readable Unicode (header bytes re-read as UTF-8) and cut to a
 * bounded length; escaping for each destination is the sinks' job.
 */
import type { SnareEvent } from '../events/catalog.js';
import { parseNameAddr } from '../sip/address.js';
import { getHeader } from '../sip/headers.js';
import type { SipMessage } from '../sip/message.js';
import { textOf } from '../sip/parse.js';
import { parseUri } from '../sip/uri.js';
import { parseCSeq } from '../sip/validate.js';

/**
 * The fields of an event that come from the message itself (and the
 * decisions about it); whoever records the message adds the shared ones
 * (id, time, sensor, transport and addresses).
 */
export type SipFields = Partial<
  Omit<
    SnareEvent,
    | 'event'
    | 'event_id'
    | 'ts'
    | 'sensor'
    | 'transport'
    | 'src_ip'
    | 'src_port'
    | 'dst_ip'
    | 'dst_port'
  >
>;

/** Longest string kept in an event field; longer attacker text is cut. */
export const MAX_FIELD_CHARS = 1024;

/** Bounded, readable text of an attacker string; null stays null. */
export function clip(text: string | null | undefined): string | null {
  if (text === null || text === undefined) return null;
  const t = textOf(text);
  return t.length > MAX_FIELD_CHARS ? t.slice(0, MAX_FIELD_CHARS) : t;
}

/** Fields every parsed message carries (requests and stray responses). */
export function messageFields(msg: SipMessage, size: number): SipFields {
  const from = parseNameAddr(getHeader(msg, 'From') ?? '');
  const to = parseNameAddr(getHeader(msg, 'To') ?? '');
  const cseqText = getHeader(msg, 'CSeq');
  const cseq = cseqText === undefined ? null : parseCSeq(cseqText);
  const ua = getHeader(msg, 'User-Agent');
  // One literal per kind (no spreads: this runs for every message the sensor receives).
  if (msg.kind === 'response')
    return {
      size,
      from_user: clip(from?.uri?.user),
      from_display: clip(from?.display),
      from_tag: clip(from?.tag),
      to_user: clip(to?.uri?.user),
      call_id: clip(getHeader(msg, 'Call-ID')),
      cseq: cseq?.seq ?? null,
      user_agent: clip(ua),
      status: msg.status,
      method: clip(cseq?.method),
    };
  const ruriUser = clip(parseUri(msg.uri)?.user);
  return {
    size,
    from_user: clip(from?.uri?.user),
    from_display: clip(from?.display),
    from_tag: clip(from?.tag),
    to_user: clip(to?.uri?.user),
    call_id: clip(getHeader(msg, 'Call-ID')),
    cseq: cseq?.seq ?? null,
    user_agent: clip(ua),
    method: clip(msg.method),
    ruri: clip(msg.uri),
    ruri_user: ruriUser,
    dialed: msg.method === 'INVITE' ? ruriUser : null,
  };
}
