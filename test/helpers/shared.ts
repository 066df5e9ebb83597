/**
 * @module
 * Where the outside test data lives: `../shared/testdata` beside the
 * repository. Tests read it in place; nothing is copied into the project.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const TESTDATA = resolve(REPO_ROOT, '..', 'shared', 'testdata');

/** Absolute path of a file under the shared test data; throws if it is missing. */
export function testdata(...parts: string[]): string {
  const p = join(TESTDATA, ...parts);
  if (!existsSync(p)) throw new Error(`shared test data missing: ${p}`);
  return p;
}
