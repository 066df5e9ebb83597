/**
 * The command line's small promises: `--version` prints the package's
 * version, and `number --region` refuses a region without a numbering plan.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/shared.js';

const BIN = join(REPO_ROOT, 'bin', 'sipsnare');

function sipsnare(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(BIN, args, { encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('command line', () => {
  it('--version prints the version of package.json and exits 0', () => {
    const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };
    const r = sipsnare('--version');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, `sipsnare ${pkg.version}\n`);
  });

  it('number --region with an unknown region is a usage error naming it', () => {
    const r = sipsnare('number', '--region', 'XX', '0012125551234');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--region XX: no numbering plan is known/);
    const ok = sipsnare('number', '--region', 'BR', '0012125551234');
    assert.equal(ok.status, 0, ok.stderr);
  });
});
