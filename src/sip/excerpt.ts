/**
 * @module
 * The excerpt of rejected input: its first bytes as printable text. One
 * bound for every place that keeps or reports an excerpt (the framer, the
 * UDP I/O thread, the sensor, the persona).
 */

/** Bytes of rejected input kept in an event's `excerpt` field, at most. */
export const EXCERPT_BYTES = 256;

/**
 * The first {@link EXCERPT_BYTES} bytes of an input as printable text: bytes
 * outside 0x20-0x7e, and the backslash, become `\xNN`, so the excerpt is
 * safe in any log or terminal and reversible.
 */
export function excerptOf(bytes: Uint8Array): string {
  let out = '';
  const n = Math.min(bytes.length, EXCERPT_BYTES);
  for (let i = 0; i < n; i++) {
    const b = bytes[i] ?? 0;
    out +=
      b >= 0x20 && b <= 0x7e && b !== 0x5c
        ? String.fromCharCode(b)
        : '\\x' + b.toString(16).padStart(2, '0');
  }
  return out;
}
