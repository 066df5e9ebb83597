import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { lockHolder } from './open-error.js';
import { openStoreReadOnly } from './open-read-only.js';
import { openStore } from './store.js';

describe('a store held by another process', () => {
  let dir: string;
  let db: string;
  let holder: ChildProcess;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sipsnare-lock-'));
    db = join(dir, 'store.duckdb');
    (await openStore(db)).close();
    // Another process opens the store for writing and keeps it until killed.
    holder = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { DuckDBInstance } from '@duckdb/node-api';
         const i = await DuckDBInstance.create(${JSON.stringify(db)});
         await i.connect();
         process.stdout.write('ready\\n');
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => {
        reject(new Error('the holder did not start in 20 s'));
      }, 20_000);
      holder.stdout?.on('data', (d: Buffer) => {
        if (d.toString().includes('ready')) {
          clearTimeout(t);
          resolve();
        }
      });
    });
  });
  after(() => {
    if (holder.pid !== undefined && holder.exitCode === null) process.kill(holder.pid);
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the other process and its PID, and says what to do (write and read-only opens)', async () => {
    for (const open of [() => openStore(db), () => openStoreReadOnly(db)]) {
      await assert.rejects(open(), (err: Error & { code?: string }) => {
        assert.equal(err.code, 'SNARE_ERR_STORE');
        assert.match(err.message, new RegExp(`another process holds it \\(PID ${holder.pid}, `));
        assert.match(err.message, /sipsnare ingest --db/);
        return true;
      });
    }
  });

  it('reads the holder out of DuckDB words, and nothing out of others', () => {
    assert.deepEqual(
      lockHolder(
        'IO Error: Could not set lock on file "x": Conflicting lock is held in /usr/bin/node (PID 4242) by user root.',
      ),
      { program: '/usr/bin/node', pid: 4242 },
    );
    assert.equal(lockHolder('IO Error: file is not a database'), null);
  });
});
