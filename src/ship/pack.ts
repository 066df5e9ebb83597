/**
 * @module
 * Packs the lines the reader found into messages (`ship.events_per_message`):
 * up to `maxEvents` consecutive lines of one file, newline-separated, at
 * most `maxBytes` of body. With `maxEvents` 1 every line is its own message
 * with `Nats-Msg-Id` = event_id, exactly as before batching existed. A
 * message of several lines carries `Nats-Msg-Id` = `<first event_id>+<count>`:
 * the same lines packed again (a replay after a restart) give the same id,
 * which the stream's duplicate window drops; lines packed differently after
 * a restart overlap only partly, and the collector stores each event_id once.
 * A message whose first line has no usable event id goes without a message
 * id (the collector still stores its events once).
 *
 * Must keep the lines' order and never split or join a line: the shipper
 * moves its position only over whole acknowledged messages (`next`).
 */
import { packedMsgId } from '../nats/message.js';
import type { Position } from './position.js';
import type { WalLine } from './reader.js';

export interface Packed {
  /** The body: the lines without their newlines, joined by one newline each. */
  readonly payload: Uint8Array;
  /** The message id (see the module note), or null when the first line has no event id. */
  readonly msgId: string | null;
  /** Lines in the message. */
  readonly count: number;
  /** The position once the message is acknowledged: after its last line. */
  readonly next: Position;
}

const NEWLINE = 0x0a;

/** True when `b` starts one newline after `a` ends in the same buffer (a chunk read at once). */
function adjacent(a: Uint8Array, b: Uint8Array): boolean {
  return a.buffer === b.buffer && a.byteOffset + a.length + 1 === b.byteOffset;
}

/** One message of `lines[from, to)`. */
function message(lines: readonly WalLine[], from: number, to: number): Packed {
  const first = lines[from] as WalLine;
  const last = lines[to - 1] as WalLine;
  const count = to - from;
  let payload = first.payload;
  if (count > 1) {
    let contiguous = true;
    let bytes = first.payload.length;
    for (let i = from + 1; i < to; i++) {
      const l = lines[i] as WalLine;
      contiguous &&= adjacent((lines[i - 1] as WalLine).payload, l.payload);
      bytes += 1 + l.payload.length;
    }
    if (contiguous) {
      // The lines and their newlines as they lie in the chunk: no copy.
      payload = new Uint8Array(first.payload.buffer, first.payload.byteOffset, bytes);
    } else {
      const out = Buffer.allocUnsafe(bytes);
      let off = 0;
      for (let i = from; i < to; i++) {
        if (i > from) out[off++] = NEWLINE;
        const p = (lines[i] as WalLine).payload;
        out.set(p, off);
        off += p.length;
      }
      payload = out;
    }
  }
  return { payload, msgId: packedMsgId(first.eventId, count), count, next: last.next };
}

/**
 * `lines` (in file order) as messages of at most `maxEvents` lines and
 * `maxBytes` of body each; a line longer than `maxBytes` goes alone.
 */
export function pack(lines: readonly WalLine[], maxEvents: number, maxBytes: number): Packed[] {
  const out: Packed[] = [];
  let from = 0;
  let bytes = 0;
  for (let i = 0; i < lines.length; i++) {
    const len = (lines[i] as WalLine).payload.length;
    const count = i - from;
    if (count > 0 && (count >= maxEvents || bytes + 1 + len > maxBytes)) {
      out.push(message(lines, from, i));
      from = i;
      bytes = len;
    } else bytes += count > 0 ? 1 + len : len;
  }
  if (from < lines.length) out.push(message(lines, from, lines.length));
  return out;
}
