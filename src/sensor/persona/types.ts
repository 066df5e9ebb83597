/**
 * @module
 * The contract between the network runtime (transports, limits, event sinks)
 * and a persona (what a PBX answers). The runtime hands the persona one
 * framed message and where it came from; the persona answers with the bytes
 * to send, the SIP fields of the event, and retransmission instructions.
 * A persona never touches a socket, a file or the wall clock directly.
 */
import type { EventType, Transport } from '../../events/catalog.js';
import type { SipFields } from '../../sip-fields/fields.js';

export interface InboundContext {
  readonly transport: Transport;
  readonly srcIp: string;
  readonly srcPort: number;
  /** Local address and port the message reached (used in Contact and Via received). */
  readonly dstIp: string;
  readonly dstPort: number;
  readonly now: Date;
}

export interface OutboundMessage {
  readonly data: Buffer;
  /** The response's status code (what `data` starts with), so nobody reads it back from the bytes. */
  readonly status: number;
  /**
   * Set on a final response to an INVITE over UDP: the runtime retransmits
   * it (RFC 3261 timer G: T1 = 500 ms doubling to T2 = 4 s, until 64*T1)
   * until a later result lists the same key in `stopRetransmit` (its ACK or
   * CANCEL), as Asterisk does.
   */
  readonly retransmitKey?: string;
  /**
   * `data` as a latin1 string, set when the persona keeps the answer for
   * retransmitted requests: the retransmission table then shares this copy.
   */
  readonly text?: string;
}

/** The SIP fields a persona fills for the event; the runtime adds the shared ones. */
export type PersonaFields = SipFields;

export interface PersonaResult {
  /** sip.request, sip.response (a stray response received) or sip.malformed. */
  readonly event: Exclude<EventType, 'sensor.rate_limited' | 'sensor.dropped'>;
  readonly fields: PersonaFields;
  /** In order; empty when the persona stays silent (garbage, ACK, stray responses). */
  readonly replies: readonly OutboundMessage[];
  /** Retransmission keys this message ends (an ACK, or a CANCEL). */
  readonly stopRetransmit: readonly string[];
  /**
   * An answer due later, without a new message: a ringing INVITE's busy
   * signal when it rang long enough. The runtime calls `run` after
   * `afterMs` and sends what it returns (nothing when the call was
   * cancelled meanwhile), like the replies above.
   */
  readonly later?: DeferredAnswer;
}

export interface DeferredAnswer {
  readonly afterMs: number;
  /** The bytes the answer holds until it runs (for the bound of the table of deferred answers). */
  readonly bytes?: number;
  run(): readonly OutboundMessage[];
}

export interface Persona {
  /**
   * Attacker bytes that do not parse become a sip.malformed result. A throw
   * is a bug: the runtime logs it and records the input as `internal_error`.
   */
  handle(bytes: Uint8Array, ctx: InboundContext): PersonaResult;
}
