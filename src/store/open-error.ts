/**
 * @module
 * The error of a store that cannot be opened, saying why. DuckDB lets one
 * process write a database file; when another holds it, DuckDB names that
 * process and its PID, and the message passes them on with what to do.
 */
import { SnareError } from '../errors.js';

/** The process holding the lock, from DuckDB's "Conflicting lock is held in PROGRAM (PID N)". */
export function lockHolder(message: string): { program: string; pid: number } | null {
  const m = /Conflicting lock is held in (.{1,300}?) \(PID (\d{1,10})\)/.exec(message);
  if (!m) return null;
  return { program: m[1] ?? '', pid: Number(m[2]) };
}

/** SNARE_ERR_STORE naming the cause: another process (with its PID), or DuckDB's own words. */
export function storeOpenError(path: string, err: unknown): SnareError {
  const text = err instanceof Error ? err.message : String(err);
  const holder = lockHolder(text);
  if (holder !== null) {
    return new SnareError(
      'SNARE_ERR_STORE',
      `cannot open store ${path}: another process holds it (PID ${holder.pid}, ${holder.program}); ` +
        'DuckDB lets one process use a store file at a time. Stop that process first, ' +
        'or, to analyse a running sensor, import its JSON lines into a store of your own ' +
        '(sipsnare ingest --db other.duckdb EVENTS_DIR)',
      { cause: err },
    );
  }
  return new SnareError('SNARE_ERR_STORE', `cannot open store ${path}: ${text}`, { cause: err });
}
