/**
 * @module
 * Diagnostics logger: pino to stderr. Lifecycle and degradation messages
 * only; events never go through it (they go to the event sinks). Attacker
 * data must never be a message string or a key: nest it under a fixed key
 * (`{ peer: { ip } }`) so pino's JSON encoding escapes it (C1 controls
 * included, see escapeC1).
 */
import { pino, type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

/** Levels a user can ask for with `SIPSNARE_LOG_LEVEL`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function isLogLevel(v: string | undefined): v is LogLevel {
  return v !== undefined && (LOG_LEVELS as readonly string[]).includes(v);
}

/** How log lines look: JSON lines (for machines), or pretty (for a person at a terminal). */
export type LogFormat = 'json' | 'pretty';

/**
 * The format to use: `SIPSNARE_LOG_FORMAT` (`json` or `pretty`) when set,
 * else pretty when `dest` is a terminal (stderr by default) and JSON when
 * not (a pipe, a file, journald).
 */
export function chooseLogFormat(dest: NodeJS.WritableStream | number = 2): LogFormat {
  const env = process.env['SIPSNARE_LOG_FORMAT'];
  if (env === 'json' || env === 'pretty') return env;
  const tty =
    typeof dest === 'number'
      ? dest === 2 && process.stderr.isTTY
      : (dest as { isTTY?: boolean }).isTTY === true;
  return tty ? 'pretty' : 'json';
}

/**
 * The root logger, writing to `dest` (stderr by default, file descriptor
 * 2, synchronously so a crash loses no diagnostic): JSON lines, or on a
 * terminal one readable line per message (pino-pretty: local time, level,
 * message, fields). The level comes from the argument, then
 * `SIPSNARE_LOG_LEVEL`, then `info`; the format from the argument, then
 * chooseLogFormat().
 */
export function createLogger(
  level?: LogLevel,
  dest: NodeJS.WritableStream | number = 2,
  format: LogFormat = chooseLogFormat(dest),
): Logger {
  const envLevel = process.env['SIPSNARE_LOG_LEVEL'];
  const chosen: LogLevel = level ?? (isLogLevel(envLevel) ? envLevel : 'info');
  const options = { level: chosen, base: { pid: process.pid }, name: 'sipsnare' };
  if (format === 'pretty') {
    const stream = pretty({
      destination: dest,
      sync: true,
      colorize: typeof dest === 'number' ? process.stderr.isTTY : false,
      translateTime: 'SYS:yyyy-mm-dd HH:MM:ss',
      ignore: 'pid,hostname,name',
      singleLine: true,
    });
    return pino({ ...options, hooks: { streamWrite: escapeForPretty } }, stream);
  }
  const stream = typeof dest === 'number' ? pino.destination({ fd: dest, sync: true }) : dest;
  return pino({ ...options, hooks: { streamWrite: escapeC1 } }, stream);
}

/** Control characters (C0 but tab, DEL, C1) as visible `\u00NN` text. */
function visible(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g, (c) => {
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

function visibleDeep(v: unknown): unknown {
  if (typeof v === 'string') return visible(v);
  if (Array.isArray(v)) return v.map(visibleDeep);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[visible(k)] = visibleDeep(x);
    return out;
  }
  return v;
}

/**
 * pino-pretty decodes the JSON line and prints its strings as they are,
 * so an escaped control character would reach the terminal raw (ESC is a
 * terminal command). Every string of the line is made visible first.
 */
export function escapeForPretty(line: string): string {
  try {
    return JSON.stringify(visibleDeep(JSON.parse(line))) + '\n';
  } catch {
    return escapeC1(line);
  }
}

/**
 * pino's JSON escapes quotes, backslashes and C0 controls, but writes C1
 * controls (U+0080-U+009F, such as U+009B, a terminal's CSI) raw. In a
 * JSON line they can only sit inside a string, where `\u00NN` is their
 * valid escape: no log line carries a raw control character.
 */
export function escapeC1(line: string): string {
  return line.replace(/[\u0080-\u009f]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

/** A logger that discards everything: for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** Default spacing of a repeated diagnostic: one line per 10 s at most. */
export const LOG_THROTTLE_MS = 10_000;

/**
 * Keeps a repeated diagnostic (a bug an attacker can trigger at will) from
 * flooding the log: the first occurrence is logged, then at most one per
 * interval, each saying how many were held back since the last.
 */
export class LogThrottle {
  #last = -Infinity;
  #held = 0;

  constructor(
    private readonly intervalMs = LOG_THROTTLE_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Null: hold this one back; else log it, with the number held back before it. */
  take(): number | null {
    const t = this.now();
    if (t - this.#last < this.intervalMs) {
      this.#held++;
      return null;
    }
    this.#last = t;
    const held = this.#held;
    this.#held = 0;
    return held;
  }
}
