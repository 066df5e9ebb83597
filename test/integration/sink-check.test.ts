/**
 * Every file sink is checked at start: a sensor whose events directory
 * cannot be written exits 1 at once with a message that says why, instead
 * of logging "started" and losing every event. Uses a read-only tmpfs
 * (needs root to mount it; skipped otherwise, and says so).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/shared.js';

/** A read-only tmpfs holding an `events` directory; null when mounting is not allowed. */
function readOnlyMount(): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'snare-ro-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    mkdirSync(join(dir, 'events'));
    execFileSync('mount', ['-o', 'remount,ro', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    spawnSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

function sensor(events: string): { status: number | null; err: string } {
  const res = spawnSync(
    process.execPath,
    [
      join(REPO_ROOT, 'bin', 'sipsnare'),
      'sensor',
      '--listen',
      'udp://127.0.0.1:0',
      '--events',
      events,
    ],
    {
      encoding: 'utf8',
      timeout: 15000,
      killSignal: 'SIGKILL',
      env: { ...process.env, SIPSNARE_STORE_DB: 'null' },
    },
  );
  return { status: res.status, err: res.stderr };
}

describe('sinks checked at start', { timeout: 60000 }, () => {
  it('refuses an events directory it cannot write, and a missing one on a read-only mount, with exit 1', (t) => {
    const mnt = process.getuid?.() === 0 ? readOnlyMount() : null;
    if (mnt === null) {
      t.skip('needs root to mount a read-only tmpfs');
      return;
    }
    try {
      const existing = sensor(join(mnt, 'events'));
      assert.equal(existing.status, 1, existing.err);
      assert.match(
        existing.err,
        /events directory .* cannot be written \(it is on a read-only file system\)/,
      );
      assert.doesNotMatch(existing.err, /sensor started/);
      const missing = sensor(join(mnt, 'new', 'events'));
      assert.equal(missing.status, 1, missing.err);
      assert.match(missing.err, /cannot create the events directory .*read-only file system/);
      assert.doesNotMatch(missing.err, /ENOENT/);
    } finally {
      execFileSync('umount', [mnt]);
      rmSync(mnt, { recursive: true, force: true });
    }
  });
});
