/**
 * @module
 * The persona's memory: what it keeps per dialog (per Call-ID and source:
 * To tag, nonce, pending INVITE, recent answers for retransmissions) and
 * per registration (for chan_sip's source-address peer match). The tables
 * holding them are bounded LruMaps (src/lru-map.ts): when full, the least
 * recently used entry is forgotten, so an attacker flooding Call-IDs only
 * evicts its own older state. The dialogs' table is also bounded in the
 * bytes of the answers it keeps (dialogs.ts).
 *
 * What is kept shares no memory with the request: a header value is a
 * slice of the whole request's text, which a kept slice (or a key built
 * from one) would keep alive, so kept strings are copies (`detach`, or
 * keys joined into new strings). Answers are kept as latin1 strings, not
 * the buffers sent: a string holds its bytes in 16 bytes more, where a
 * small buffer is an object of about 100 bytes on a slice of an 8 KiB pool
 * that the slice keeps alive whole.
 */
import type { OutboundMessage } from './types.js';

/** An answer as kept: its bytes (latin1) and status code. */
export interface SentReply {
  readonly text: string;
  readonly status: number;
}

/** A reply kept to be sent later: its bytes (latin1), status and retransmission key. */
export interface KeptReply extends SentReply {
  readonly retransmitKey: string | null;
}

/** A reply as kept: its text, not its buffer. */
export function keepReply(r: OutboundMessage): KeptReply {
  return {
    text: r.text ?? r.data.toString('latin1'),
    status: r.status,
    retransmitKey: r.retransmitKey ?? null,
  };
}

/** A kept reply to send (carrying its text, which a retransmission then shares). */
export function replyOf(k: KeptReply): OutboundMessage {
  const r = { data: Buffer.from(k.text, 'latin1'), status: k.status, text: k.text };
  return k.retransmitKey === null ? r : { ...r, retransmitKey: k.retransmitKey };
}

/** A pending (ringing) INVITE that a CANCEL can end. */
export interface PendingInvite {
  readonly cseq: number;
  readonly branch: string | null;
  readonly toTag: string;
  /** The busy answer the ring timeout sends, when the preset built it with the 180 (pjsip). */
  readonly busy?: readonly KeptReply[];
}

/** An answer kept for the retransmissions of its request. */
export interface KeptAnswer {
  /** The request's identity (method, CSeq number, branch). */
  readonly key: string;
  readonly replies: readonly SentReply[];
  readonly retransmitKey: string | null;
  readonly response: number | null;
}

/** What the persona remembers about one Call-ID from one source. */
export interface DialogState {
  /** Tag used on non-INVITE answers (REGISTER keeps it from 401 to 200). */
  tag: string | null;
  /** The last challenge's nonce, and whether an answer to it was already checked. */
  nonce: string | null;
  nonceUsed: boolean;
  pending: PendingInvite | null;
  /** Answers already sent, by request identity, to resend on retransmission (at most 4, oldest first). */
  answers: readonly KeptAnswer[];
  /** The bytes of those answers' replies. */
  bytes: number;
  /** In the dialogs' table (its bytes count towards the table's bound). */
  kept: boolean;
}

export function newDialog(): DialogState {
  return {
    tag: null,
    nonce: null,
    nonceUsed: false,
    pending: null,
    answers: NO_ANSWERS,
    bytes: 0,
    kept: false,
  };
}

const NO_ANSWERS: readonly KeptAnswer[] = [];

/** Answers kept per dialog, at most. */
export const MAX_ANSWERS = 4;

/** Remembers an answer; keeps only the last few per dialog. Returns the change in `d.bytes`. */
export function rememberAnswer(
  d: DialogState,
  key: string,
  replies: readonly SentReply[],
  retransmitKey: string | null,
  response: number | null,
): number {
  const kept = d.answers.filter((a) => a.key !== key);
  kept.push({ key, replies, retransmitKey, response });
  // A new array of its exact length (an array grown by push keeps room for 16 more).
  const answers = kept.slice(-MAX_ANSWERS);
  let bytes = 0;
  for (const a of answers) for (const r of a.replies) bytes += r.text.length;
  const change = bytes - d.bytes;
  d.answers = answers;
  d.bytes = bytes;
  return change;
}

/**
 * A copy of `s` that shares no memory with a longer string it was cut
 * from (V8 makes a slice of 13 characters or more a view of its parent).
 */
export function detach(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

export interface Registration {
  readonly extension: string;
  /** Epoch ms when it lapses. */
  readonly expiresAt: number;
}

/** `detach` for a string that may be missing. */
export function detachOrNull(s: string | null): string | null {
  return s === null ? null : detach(s);
}
