/**
 * @module
 * The article's listener log (its Figure 1), one line per SIP request:
 *
 *   2011-12-27 19:48:38 +0000: sipsnare[4429]: IP: 41.1.2.19, method: INVITE, from: "100", to: "2015550274", resp: 486, user-agent: "X-Lite release 1006e stamp 34025"
 *
 * Kept so the tools and habits built around that log keep working. Quoted
 * values are attacker strings: they are escaped (\" \\ \n \r \t, \xNN for
 * other control bytes, \uNNNN for Unicode line separators) so no value can
 * end the line, close its quotes early or forge another record. `resp: -`
 * when the sensor stayed silent. Only sip.request events are written.
 */
import { closeSync, openSync } from 'node:fs';
import { SnareError } from '../errors.js';
import { dirname } from 'node:path';
import type { SnareEvent } from './catalog.js';
import { FileAppender } from './file-appender.js';
import type { EventSink } from './sink.js';
import { ensureWritableDir } from './writable.js';

/** Program name in the line (the article's was `sip-honeyd.pl`, which the simulator writes). */
export const LEGACY_PROGRAM = 'sipsnare';

/** A character escapeLegacy changes: the fast path leaves other strings as they are. */
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /["\\\x00-\x1f\x7f-\x9f\u2028\u2029]/;

/**
 * Escapes an attacker string for a double-quoted legacy-log value: after
 * this no raw CR, LF, quote or control byte remains, and `unescapeLegacy`
 * returns the original.
 */
export function escapeLegacy(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 0x22) out += '\\"';
    else if (ch === 0x5c) out += '\\\\';
    else if (ch === 0x0a) out += '\\n';
    else if (ch === 0x0d) out += '\\r';
    else if (ch === 0x09) out += '\\t';
    else if (ch < 0x20 || (ch >= 0x7f && ch <= 0x9f))
      out += '\\x' + ch.toString(16).padStart(2, '0');
    else if (ch === 0x2028 || ch === 0x2029) out += '\\u' + ch.toString(16);
    else out += s[i] ?? '';
  }
  return out;
}

/** Inverse of escapeLegacy (for readers and tests); unknown escapes are kept as written. */
export function unescapeLegacy(s: string): string {
  return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.)/g, (m, e: string) => {
    if (e === 'n') return '\n';
    if (e === 'r') return '\r';
    if (e === 't') return '\t';
    if (e === '"' || e === '\\') return e;
    if (e.length > 1) return String.fromCharCode(parseInt(e.slice(1), 16));
    return m;
  });
}

/** The method as one token: escaped, spaces and commas as `_`. */
function legacyMethod(method: string): string {
  const escaped = escapeLegacy(method);
  return /[ ,]/.test(escaped) ? escaped.replace(/[ ,]/g, '_') : escaped;
}

/** `2011-12-27 19:48:38 +0000` from an ISO timestamp. */
function legacyTime(ts: string): string {
  return `${ts.slice(0, 10)} ${ts.slice(11, 19)} +0000`;
}

/**
 * The Figure 1 line of an event (with its newline), or null for events the
 * legacy log does not record. `to` is the To user, falling back to the
 * dialed number or the Request-URI user when To had none. `program` names
 * the process in the line.
 */
export function formatLegacyLine(
  ev: SnareEvent,
  pid: number,
  program: string = LEGACY_PROGRAM,
): string | null {
  if (ev.event !== 'sip.request' || ev.method === null) return null;
  const to = ev.to_user ?? ev.dialed ?? ev.ruri_user ?? '';
  const resp = ev.response === null ? '-' : String(ev.response);
  return (
    `${legacyTime(ev.ts)}: ${program}[${pid}]: IP: ${ev.src_ip}, ` +
    `method: ${legacyMethod(ev.method)}, ` +
    `from: "${escapeLegacy(ev.from_user ?? '')}", to: "${escapeLegacy(to)}", ` +
    `resp: ${resp}, user-agent: "${escapeLegacy(ev.user_agent ?? '')}"\n`
  );
}

export interface LegacyLogSinkOptions {
  readonly path: string;
  readonly pid?: number;
  readonly flushIntervalMs?: number;
  readonly onError?: (err: unknown) => void;
}

/** Bytes kept waiting for a slow or refusing disk; beyond it new lines are dropped. */
export const MAX_PENDING_BYTES = 8 * 1024 * 1024;

/** Appends Figure 1 lines to one file, batched and asynchronous like the JSON lines. */
export class LegacyLogSink implements EventSink {
  readonly name = 'legacy_log';
  private readonly out: FileAppender;
  private readonly pid: number;

  constructor(private readonly opts: LegacyLogSinkOptions) {
    ensureWritableDir(dirname(opts.path), 'legacy log');
    // A path that cannot be appended to fails here, at start, not at the first event.
    try {
      closeSync(openSync(opts.path, 'a'));
    } catch (err) {
      throw new SnareError(
        'SNARE_ERR_IO',
        `cannot append to the legacy log ${opts.path}: ${(err as Error).message}`,
        { cause: err },
      );
    }
    this.pid = opts.pid ?? process.pid;
    this.out = new FileAppender({
      flushIntervalMs: opts.flushIntervalMs ?? 50,
      batchBytes: 64 * 1024,
      maxPendingBytes: MAX_PENDING_BYTES,
      ...(opts.onError ? { onError: opts.onError } : {}),
    });
  }

  write(event: SnareEvent): void {
    const line = formatLegacyLine(event, this.pid);
    if (line !== null) this.out.append(this.opts.path, line);
  }

  flush(): Promise<void> {
    return this.out.flush();
  }

  close(): Promise<void> {
    return this.out.close();
  }
}
