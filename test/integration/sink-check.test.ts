/**
 * Every sink is checked at start: a sensor whose events directory or store
 * cannot be written exits 1 at once with a message that says why, instead
 * of logging "started" and losing every event (or running without its
 * store). Uses a read-only tmpfs and a read-only bind mount of a store
 * file (needs root to mount them; skipped otherwise, and says so).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

function sensor(events: string, store = 'null'): { status: number | null; err: string } {
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
      env: { ...process.env, SIPSNARE_STORE_DB: store },
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

  it('refuses a store whose directory or file it cannot write, with exit 1 and nothing started', (t) => {
    const mnt = process.getuid?.() === 0 ? readOnlyMount() : null;
    if (mnt === null) {
      t.skip('needs root to mount a read-only tmpfs');
      return;
    }
    const work = mkdtempSync(join(tmpdir(), 'snare-ro-store-'));
    const file = join(work, 'old.duckdb');
    let bound = false;
    try {
      const events = join(work, 'events');
      const inDir = sensor(events, join(mnt, 'events', 'sipsnare.duckdb'));
      assert.equal(inDir.status, 1, inDir.err);
      assert.match(
        inDir.err,
        /store directory .*events cannot be written \(it is on a read-only file system\): make it writable, or set store\.db/,
      );
      assert.doesNotMatch(inDir.err, /sensor started|embedded store not opened/);
      assert.equal(existsSync(events), false, 'no events directory made: nothing started');

      const missing = sensor(events, join(mnt, 'new', 'sipsnare.duckdb'));
      assert.equal(missing.status, 1, missing.err);
      assert.match(missing.err, /cannot create the store directory .*read-only file system/);

      // A writable directory, a store file that is not (a read-only bind mount of it).
      writeFileSync(file, '');
      execFileSync('mount', ['--bind', file, file], { stdio: 'ignore' });
      bound = true;
      execFileSync('mount', ['-o', 'remount,ro,bind', file], { stdio: 'ignore' });
      const roFile = sensor(events, file);
      assert.equal(roFile.status, 1, roFile.err);
      assert.match(
        roFile.err,
        /the store file .*old\.duckdb cannot be written \(it is on a read-only file system\): make it writable/,
      );
      assert.doesNotMatch(roFile.err, /sensor started/);
      assert.equal(existsSync(events), false);
    } finally {
      if (bound) execFileSync('umount', [file]);
      rmSync(work, { recursive: true, force: true });
      execFileSync('umount', [mnt]);
      rmSync(mnt, { recursive: true, force: true });
    }
  });
});
