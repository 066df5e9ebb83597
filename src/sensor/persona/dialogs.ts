/**
 * @module
 * The persona's dialogs (per source and Call-ID), bounded in entries
 * (`limits.max_dialogs`) and in the bytes of the answers they keep for
 * retransmitted requests: an answer echoes the request's headers, so an
 * attacker sizes it (up to `limits.max_message_bytes` each, four per
 * dialog). Past either bound the least recently used dialog is forgotten.
 */
import { LruMap } from '../../lru-map.js';
import { newDialog, rememberAnswer, type DialogState, type SentReply } from './state.js';

/** Bytes of kept answers in all dialogs, at most (some 30,000 typical 550-byte answers). */
export const DIALOG_MAX_BYTES = 16 * 1024 * 1024;

export class DialogTable {
  readonly #dialogs: LruMap<string, DialogState>;
  readonly #max: number;
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxDialogs: number, maxBytes = DIALOG_MAX_BYTES) {
    this.#max = Math.max(1, Math.floor(maxDialogs));
    this.#dialogs = new LruMap(this.#max);
    this.#maxBytes = maxBytes;
  }

  get size(): number {
    return this.#dialogs.size;
  }

  /** Bytes of the answers kept. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The dialog of this Call-ID from this source; a new one (kept unless the Call-ID is empty) if none. */
  of(srcIp: string, callId: string): DialogState {
    const found = this.#dialogs.get(`${srcIp}|${callId}`);
    if (found) return found;
    const dialog = newDialog();
    if (callId === '') return dialog;
    if (this.#dialogs.size >= this.#max) this.#forgetOldest();
    dialog.kept = true;
    // A key of its own: the Call-ID is a slice of the request's text.
    this.#dialogs.set([srcIp, callId].join('|'), dialog);
    return dialog;
  }

  /** Remembers an answer of `dialog` for its request's retransmissions. */
  remember(
    dialog: DialogState,
    key: string,
    replies: readonly SentReply[],
    retransmitKey: string | null,
    response: number | null,
  ): void {
    const change = rememberAnswer(dialog, key, replies, retransmitKey, response);
    if (!dialog.kept) return;
    this.#bytes += change;
    while (this.#bytes > this.#maxBytes && this.#dialogs.size > 0) this.#forgetOldest();
  }

  #forgetOldest(): void {
    const key = this.#dialogs.oldestKey();
    if (key === undefined) return;
    const d = this.#dialogs.get(key);
    this.#dialogs.delete(key);
    if (d) {
      d.kept = false;
      this.#bytes -= d.bytes;
    }
  }
}
