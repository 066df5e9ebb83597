/**
 * @module
 * The output directory of a command that writes a set of files (simulate):
 * created when absent, refused when it is a file or holds files from an
 * earlier run (a later import would count the stale files too), emptied
 * first with `--force`.
 */
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { UsageError } from '../../errors.js';

/** Makes `dir` ready to be written: exists, is a directory, and is empty. */
export function prepareOutDir(dir: string, force: boolean): void {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    mkdirSync(dir, { recursive: true });
    return;
  }
  if (!isDir) throw new UsageError(`--out ${dir}: exists and is not a directory`);
  const names = readdirSync(dir);
  if (names.length === 0) return;
  if (!force) {
    throw new UsageError(
      `--out ${dir}: the directory is not empty (${names.length} entries, an earlier run?); ` +
        'choose a new directory, or add --force to empty it first',
    );
  }
  // Never empty the working directory or one that holds it.
  const rel = relative(resolve(dir), process.cwd());
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel)))
    throw new UsageError(`--out ${dir}: holds the working directory; --force will not empty it`);
  for (const name of names) rmSync(join(dir, name), { recursive: true, force: true });
}
