/**
 * @module
 * Checked at start, for every file sink: the directory exists (made if
 * needed) and can be written. A failure is a SnareError whose message says
 * what is wrong in words (a read-only file system, no permission), not the
 * bare `ENOENT … mkdir` of the first call that failed, so the sensor stops
 * at once (exit 1) instead of starting and losing every event.
 */
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SnareError } from '../errors.js';

function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'EROFS') return 'it is on a read-only file system';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOSPC') return 'no space left on the device';
  if (code === 'ENOTDIR') return 'a part of the path is a file, not a directory';
  return (err as Error).message;
}

/** The nearest ancestor of `dir` that exists. */
function existingAncestor(dir: string): string {
  let d = resolve(dir);
  while (!existsSync(d) && dirname(d) !== d) d = dirname(d);
  return d;
}

/** Makes `dir` if missing and checks it can be written; throws SnareError (`what` names the sink). */
export function ensureWritableDir(dir: string, what: string): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    const parent = existingAncestor(dir);
    let why = reason(err);
    try {
      accessSync(parent, constants.W_OK);
    } catch (perr) {
      why = reason(perr);
    }
    throw new SnareError(
      'SNARE_ERR_IO',
      `cannot create the ${what} directory ${dir}: ${parent} cannot be written (${why})`,
      { cause: err },
    );
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw new SnareError(
      'SNARE_ERR_IO',
      `the ${what} directory ${dir} cannot be written (${reason(err)})`,
      { cause: err },
    );
  }
}
