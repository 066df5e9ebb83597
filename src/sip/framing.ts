/**
 * @module
 * Cuts a TCP/TLS byte stream into SIP messages by Content-Length
 * (RFC 3261 §18.3). Handles partial reads, several messages per chunk and
 * CRLF keepalives (RFC 5626 §3.5.1). The buffer is bounded: a message (or
 * header block) over the limit ends the stream with an error item, after
 * which the framer yields nothing more and the caller closes the connection.
 * No I/O; never throws on input.
 */
import { EXCERPT_BYTES } from './excerpt.js';
import { findHeaderEnd } from './parse.js';

export type FrameItem =
  | { readonly kind: 'message'; readonly bytes: Buffer }
  /** A CRLFCRLF ping; RFC 5626 says answer CRLF. */
  | { readonly kind: 'keepalive' }
  | {
      readonly kind: 'error';
      readonly reason: 'too_large' | 'bad_content_length';
      /** The first bytes of the offending data (at most EXCERPT_BYTES). */
      readonly excerpt: Buffer;
    };

export interface FramerOptions {
  /** Largest message (headers + body) accepted. Default 65535. */
  readonly maxMessageBytes?: number;
}

const CONTENT_LENGTH_RE = /^(?:content-length|l)[ \t]*:[ \t]*(.*?)[ \t\r]*$/im;

export class SipFramer {
  readonly #max: number;
  #buf: Buffer = Buffer.alloc(0);
  /** Where the search for the blank line resumes (avoids rescanning on byte-by-byte input). */
  #scanFrom = 0;
  /** CR/LF bytes seen between messages, to recognise a keepalive split across reads. */
  #gap = '';
  #failed = false;
  /** Total bytes of the message being received, once its header block is in; else -1. */
  #total = -1;

  constructor(options: FramerOptions = {}) {
    this.#max = options.maxMessageBytes ?? 65535;
  }

  /** Bytes held while waiting for the rest of a message. */
  get buffered(): number {
    return this.#buf.length;
  }

  /**
   * The message being received: null between messages; else its bytes so
   * far and, once its header block is complete, its total length (headers
   * plus Content-Length), or null while the headers are still coming.
   */
  get partial(): { readonly bytes: number; readonly total: number | null } | null {
    if (this.#buf.length === 0) return null;
    return { bytes: this.#buf.length, total: this.#total < 0 ? null : this.#total };
  }

  /** The first bytes (at most EXCERPT_BYTES) of the message being received, for a report. */
  get head(): Buffer {
    return Buffer.from(this.#buf.subarray(0, EXCERPT_BYTES));
  }

  /** true after an error item: the stream cannot be re-synchronised. */
  get failed(): boolean {
    return this.#failed;
  }

  /** Adds a chunk; returns every item it completes, in order. */
  push(chunk: Uint8Array): FrameItem[] {
    if (this.#failed || chunk.length === 0) return [];
    this.#buf = this.#buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.#buf, chunk]);
    const out: FrameItem[] = [];
    for (;;) {
      // Bytes between messages: CR and LF only.
      let i = 0;
      while (i < this.#buf.length && (this.#buf[i] === 0x0d || this.#buf[i] === 0x0a)) i++;
      if (i > 0) {
        this.#gap += this.#buf.subarray(0, i).toString('latin1');
        this.#buf = this.#buf.subarray(i);
        this.#scanFrom = 0;
        if (this.#gap.length > 64) this.#gap = this.#gap.slice(-4);
        if (this.#gap.includes('\r\n\r\n') || this.#gap.includes('\n\n')) {
          out.push({ kind: 'keepalive' });
          this.#gap = '';
        }
      }
      if (this.#buf.length === 0) return out;
      this.#gap = '';
      const headerEnd = findHeaderEnd(this.#buf, this.#scanFrom);
      if (headerEnd < 0) {
        if (this.#buf.length > this.#max) return this.#fail(out, 'too_large');
        this.#scanFrom = Math.max(0, this.#buf.length - 3);
        return out;
      }
      const head = this.#buf.subarray(0, headerEnd).toString('latin1');
      const m = CONTENT_LENGTH_RE.exec(head);
      let length = 0;
      if (m) {
        const v = m[1] ?? '';
        if (!/^\d{1,10}$/.test(v)) return this.#fail(out, 'bad_content_length');
        length = Number(v);
      }
      const total = headerEnd + length;
      if (total > this.#max) return this.#fail(out, 'too_large');
      if (this.#buf.length < total) {
        this.#scanFrom = Math.max(0, headerEnd - 3);
        this.#total = total;
        return out;
      }
      this.#total = -1;
      out.push({ kind: 'message', bytes: Buffer.from(this.#buf.subarray(0, total)) });
      this.#buf = this.#buf.subarray(total);
      this.#scanFrom = 0;
    }
  }

  #fail(out: FrameItem[], reason: 'too_large' | 'bad_content_length'): FrameItem[] {
    out.push({ kind: 'error', reason, excerpt: Buffer.from(this.#buf.subarray(0, EXCERPT_BYTES)) });
    this.#failed = true;
    this.#buf = Buffer.alloc(0);
    return out;
  }
}
