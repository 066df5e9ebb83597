/**
 * @module
 * The persona's memory: what it keeps per dialog (per Call-ID and source:
 * To tag, nonce, pending INVITE, recent answers for retransmissions) and
 * per registration (for chan_sip's source-address peer match). The tables
 * holding them are bounded LruMaps (src/lru-map.ts): when full, the least
 * recently used entry is forgotten, so an attacker flooding Call-IDs only
 * evicts its own older state.
 */
import type { OutboundMessage } from './types.js';

/** An answer as sent: its bytes and status code. */
export interface SentReply {
  readonly data: Buffer;
  readonly status: number;
}

/** A pending (ringing) INVITE that a CANCEL can end. */
export interface PendingInvite {
  readonly cseq: number;
  readonly branch: string | null;
  readonly toTag: string;
  /** The busy answer the ring timeout sends, when the preset built it with the 180 (pjsip). */
  readonly busy?: readonly OutboundMessage[];
}

/** What the persona remembers about one Call-ID from one source. */
export interface DialogState {
  /** Tag used on non-INVITE answers (REGISTER keeps it from 401 to 200). */
  tag: string | null;
  /** The last challenge's nonce, and whether an answer to it was already checked. */
  nonce: string | null;
  nonceUsed: boolean;
  pending: PendingInvite | null;
  /** Answers already sent, by request identity, to resend on retransmission (at most 4). */
  readonly answers: {
    key: string;
    replies: SentReply[];
    retransmitKey: string | null;
    response: number | null;
  }[];
}

export function newDialog(): DialogState {
  return { tag: null, nonce: null, nonceUsed: false, pending: null, answers: [] };
}

/** Remembers an answer; keeps only the last few per dialog. */
export function rememberAnswer(
  d: DialogState,
  key: string,
  replies: SentReply[],
  retransmitKey: string | null,
  response: number | null,
): void {
  const i = d.answers.findIndex((a) => a.key === key);
  if (i >= 0) d.answers.splice(i, 1);
  d.answers.push({ key, replies, retransmitKey, response });
  while (d.answers.length > 4) d.answers.shift();
}

export interface Registration {
  readonly extension: string;
  /** Epoch ms when it lapses. */
  readonly expiresAt: number;
}
