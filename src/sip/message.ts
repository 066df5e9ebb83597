/**
 * @module
 * Typed SIP messages. Pure data: no I/O, no clock. Headers are an ordered
 * list that allows repeats (a Via stack, several Contact headers); names are
 * canonicalised once, in the parser, from compact and any-case forms.
 */

/** One header line as received (after unfolding). */
export interface SipHeader {
  /** Canonical long form, e.g. `Via`, `Call-ID`, `WWW-Authenticate`; unknown names keep the case sent. */
  readonly name: string;
  /** The name exactly as sent (`v`, `CALL-ID`, ...). */
  readonly rawName: string;
  /** Value with surrounding whitespace trimmed and folding replaced by one space. */
  readonly value: string;
}

export interface SipRequest {
  readonly kind: 'request';
  readonly method: string;
  /** Request-URI text as sent. */
  readonly uri: string;
  readonly version: string;
  readonly headers: readonly SipHeader[];
  readonly body: Uint8Array;
}

export interface SipResponse {
  readonly kind: 'response';
  readonly version: string;
  readonly status: number;
  readonly reason: string;
  readonly headers: readonly SipHeader[];
  readonly body: Uint8Array;
}

export type SipMessage = SipRequest | SipResponse;
