/**
 * @module
 * The persona's memory, every table bounded: dialogs (per Call-ID and
 * source: To tag, nonce, pending INVITE, recent answers for
 * retransmissions) and registrations (for chan_sip's source-address peer
 * match). When full, the least recently used entry is forgotten: an
 * attacker flooding Call-IDs only evicts its own older state.
 */

/** A Map with a size bound that evicts the least recently used entry. */
export class LruMap<K, V> {
  readonly #max: number;
  readonly #map = new Map<K, V>();

  constructor(max: number) {
    this.#max = Math.max(1, Math.floor(max));
  }

  get size(): number {
    return this.#map.size;
  }

  /** Reads and marks as recently used. */
  get(key: K): V | undefined {
    const v = this.#map.get(key);
    if (v !== undefined) {
      this.#map.delete(key);
      this.#map.set(key, v);
    }
    return v;
  }

  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    while (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next();
      if (oldest.done === true) break;
      this.#map.delete(oldest.value);
    }
  }

  delete(key: K): boolean {
    return this.#map.delete(key);
  }

  *entries(): IterableIterator<[K, V]> {
    yield* this.#map.entries();
  }
}

/** A pending (ringing) INVITE that a CANCEL can end. */
export interface PendingInvite {
  readonly cseq: number;
  readonly branch: string | null;
  readonly toTag: string;
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
    replies: Buffer[];
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
  replies: Buffer[],
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
