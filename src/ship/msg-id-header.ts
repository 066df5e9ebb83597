/**
 * @module
 * The header set of a published event: `Nats-Msg-Id` and nothing else,
 * kept as the bytes NATS sends (`NATS/1.0\r\nNats-Msg-Id: <id>\r\n\r\n`).
 * The client library's own header set validates, canonicalises and
 * re-encodes its map on every publish (about 3 µs, a tenth of a shipper's
 * CPU per event, docs/benchmarks.md "Network"); this one writes the id's
 * bytes after a fixed prefix. The connection asks a header set for its
 * wire form through `encode()` when it publishes.
 *
 * Must never put a byte into the header that could end it: an id is used
 * only when it is printable ASCII without spaces (`isMsgId`).
 */
import type { MsgHdrs } from '@nats-io/transport-node';

export const MSG_ID = 'Nats-Msg-Id';
const PREFIX = Buffer.from(`NATS/1.0\r\n${MSG_ID}: `, 'latin1');
const SUFFIX = Buffer.from('\r\n\r\n', 'latin1');
/** Longest id sent as a message id (the reader takes at most 200 bytes). */
export const MAX_MSG_ID = 256;

/** True when `id` may travel as a header value: printable ASCII, no space, not too long. */
export function isMsgId(id: string): boolean {
  if (id.length === 0 || id.length > MAX_MSG_ID) return false;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return true;
}

/**
 * One reusable header set: `id` is set before each publish (the connection
 * encodes it at once, inside `publish`). Reads answer for that one header;
 * it cannot hold others.
 */
export class MsgIdHeader implements MsgHdrs {
  private value = '';
  readonly hasError = false;
  readonly status = '';
  readonly code = 0;
  readonly description = '';

  /** Sets the id (callers check it with `isMsgId` first). */
  set id(id: string) {
    if (!isMsgId(id)) throw new RangeError('not a message id');
    this.value = id;
  }

  /**
   * The header block as NATS sends it, in new bytes each time: the
   * connection queues them by reference until its next write.
   */
  encode(): Uint8Array {
    const out = Buffer.allocUnsafe(PREFIX.length + this.value.length + SUFFIX.length);
    PREFIX.copy(out, 0);
    const off = PREFIX.length + out.write(this.value, PREFIX.length, 'latin1');
    SUFFIX.copy(out, off);
    return out;
  }

  get(k: string): string {
    return this.has(k) ? this.value : '';
  }
  last(k: string): string {
    return this.get(k);
  }
  has(k: string): boolean {
    return k === MSG_ID && this.value !== '';
  }
  keys(): string[] {
    return this.value === '' ? [] : [MSG_ID];
  }
  values(k: string): string[] {
    return this.has(k) ? [this.value] : [];
  }
  set(k: string, v: string): void {
    if (k !== MSG_ID) throw new RangeError(`only ${MSG_ID} can be set`);
    this.id = v;
  }
  append(k: string, v: string): void {
    this.set(k, v);
  }
  delete(k: string): void {
    if (k === MSG_ID) this.value = '';
  }
  *[Symbol.iterator](): Iterator<[string, string[]]> {
    if (this.value !== '') yield [MSG_ID, [this.value]];
  }
}
