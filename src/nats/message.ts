/**
 * @module
 * The form of a message on the events stream, shared by the shipper and the
 * collector. A message holds one event (its JSON line, `Nats-Msg-Id` =
 * event_id) or, with `ship.events_per_message` above 1, several: JSON lines
 * of one sensor file, separated by single newlines, `Nats-Msg-Id` =
 * `<first event_id>+<count>`. A JSON line never holds a raw newline, so the
 * collector splits every message on newlines and checks each line alone.
 *
 * Must never throw: `messageLines` takes any bytes.
 */

/** Largest message the shipper packs and the collector accepts (bytes). */
export const MAX_MESSAGE_BYTES = 512 * 1024;

/** Room left under the server's max_payload for what NATS adds (subject, reply, headers). */
export const PAYLOAD_HEADROOM_BYTES = 4 * 1024;

/** The message id of `count` lines whose first carries `firstId` (null: no id). */
export function packedMsgId(firstId: string | null, count: number): string | null {
  if (firstId === null) return null;
  return count === 1 ? firstId : `${firstId}+${count}`;
}

const NEWLINE = 0x0a;

/** True when a stretch holds only JSON whitespace (a blank line between events). */
function blank(p: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = p[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/**
 * The lines of a message that are not blank, as views of `payload`. A
 * message with one line or none (a single event, maybe with a trailing
 * newline) gives `[payload]` unchanged, so it is read exactly as before
 * batching existed.
 */
export function messageLines(payload: Uint8Array): Uint8Array[] {
  let nl = payload.indexOf(NEWLINE);
  if (nl < 0) return [payload];
  const out: Uint8Array[] = [];
  let s = 0;
  for (;;) {
    const e = nl < 0 ? payload.length : nl;
    if (e > s && !blank(payload, s, e)) out.push(payload.subarray(s, e));
    if (nl < 0) break;
    s = nl + 1;
    nl = payload.indexOf(NEWLINE, s);
  }
  return out.length <= 1 ? [payload] : out;
}

/** Most events one message may hold (the most `ship.events_per_message` allows). */
export const MAX_MESSAGE_EVENTS = 10_000;

/** Lines of a message, counted by its newlines (blank ones included): what it may hold at most. */
export function lineCount(payload: Uint8Array): number {
  let n = 1;
  for (let i = payload.indexOf(NEWLINE); i >= 0; i = payload.indexOf(NEWLINE, i + 1)) n++;
  return n;
}
