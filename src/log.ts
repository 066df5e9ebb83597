/**
 * @module
 * Diagnostics logger: pino to stderr. Lifecycle and degradation messages
 * only; events never go through it (they go to the event sinks). Attacker
 * data must never be a message string or a key: nest it under a fixed key
 * (`{ peer: { ip } }`) so pino's JSON encoding escapes it.
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
  return pino({ level: chosen, base: { pid: process.pid }, name: 'sipsnare' }, stream);
}

/** A logger that discards everything: for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
