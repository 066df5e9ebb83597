/**
 * @module
 * Diagnostics logger: pino to stderr. Lifecycle and degradation messages
 * only; events never go through it (they go to the event sinks). Attacker
 * data must never be a message string or a key: nest it under a fixed key
 * (`{ peer: { ip } }`) so pino's JSON encoding escapes it (C1 controls
 * included, see escapeC1).
 */
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Levels a user can ask for with `SIPSNARE_LOG_LEVEL`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

function isLogLevel(v: string | undefined): v is LogLevel {
  return v !== undefined && (LOG_LEVELS as readonly string[]).includes(v);
}

/**
 * The root logger, writing JSON lines to `dest` (stderr by default, file
 * descriptor 2, synchronously so a crash loses no diagnostic). The level
 * comes from the argument, then `SIPSNARE_LOG_LEVEL`, then `info`.
 */
export function createLogger(level?: LogLevel, dest: NodeJS.WritableStream | number = 2): Logger {
  const envLevel = process.env['SIPSNARE_LOG_LEVEL'];
  const chosen: LogLevel = level ?? (isLogLevel(envLevel) ? envLevel : 'info');
  const stream = typeof dest === 'number' ? pino.destination({ fd: dest, sync: true }) : dest;
  return pino(
    {
      level: chosen,
      base: { pid: process.pid },
      name: 'sipsnare',
      hooks: { streamWrite: escapeC1 },
    },
    stream,
  );
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
