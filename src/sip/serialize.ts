/**
 * @module
 * SipMessage -> bytes. Header names are written as given (a responder gives
 * long forms), values as latin1 so echoed attacker bytes go back unchanged.
 * Content-Length is the caller's job: a persona orders it last on purpose.
 */
import type { SipHeader, SipMessage } from './message.js';

/** A header to write: `[name, value]`. */
export type HeaderLine = readonly [name: string, value: string];

/** Removes CR and LF from a value, so no echoed attacker text can forge a header line. */
export function sanitizeHeaderValue(value: string): string {
  // Native searches first: parsed values almost never hold a CR or LF.
  if (!value.includes('\r') && !value.includes('\n')) return value;
  return value.replace(/[\r\n]+/g, ' ');
}

/** Writes a start line, headers and body. CRLF line ends; a blank line ends the headers. */
export function serializeParts(
  startLine: string,
  headers: readonly (HeaderLine | SipHeader)[],
  body: Uint8Array = new Uint8Array(0),
): Buffer {
  let head = `${sanitizeHeaderValue(startLine)}\r\n`;
  for (const h of headers) {
    if (Array.isArray(h)) {
      const line = h as HeaderLine;
      head += `${line[0]}: ${sanitizeHeaderValue(line[1])}\r\n`;
    } else {
      const header = h as SipHeader;
      head += `${header.name}: ${sanitizeHeaderValue(header.value)}\r\n`;
    }
  }
  head += '\r\n';
  const headBytes = Buffer.from(head, 'latin1');
  return body.length === 0 ? headBytes : Buffer.concat([headBytes, body]);
}

/** Writes a parsed message back (canonical header names; values and body unchanged). */
export function serialize(message: SipMessage): Buffer {
  const startLine =
    message.kind === 'request'
      ? `${message.method} ${message.uri} ${message.version}`
      : `${message.version} ${message.status} ${message.reason}`;
  return serializeParts(startLine, message.headers, message.body);
}
