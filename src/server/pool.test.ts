import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DuckDBInstance } from '@duckdb/node-api';
import { openPool } from './pool.js';

/** DuckDB's thread count, read on a connection outside the pool. */
async function threadsNow(instance: DuckDBInstance): Promise<number> {
  const conn = await instance.connect();
  try {
    const r = await conn.runAndReadAll(`SELECT current_setting('threads') AS t`);
    return Number(r.getRowObjectsJS()[0]?.['t']);
  } finally {
    conn.closeSync();
  }
}

describe('openPool', () => {
  it('raises DuckDB threads while its queries run and lowers them after the last', async () => {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const pool = await openPool(instance, {
      size: 2,
      threads: { read: 2, idle: 1, lingerMs: 1000 },
    });
    try {
      assert.equal(await threadsNow(instance), 1);
      // Two queries at once: both see the read setting.
      const seen = await Promise.all([
        pool.all(`SELECT current_setting('threads') AS t`),
        pool.all(`SELECT current_setting('threads') AS t, count(*) AS n FROM range(100000)`),
      ]);
      assert.deepEqual(
        seen.map((rows) => Number(rows[0]?.['t'])),
        [2, 2],
      );
      // Kept a while after the last one ended (the next query of a page finds them)...
      assert.equal(await threadsNow(instance), 2);
      // ...then lowered.
      let after = 0;
      for (let i = 0; i < 150 && (after = await threadsNow(instance)) !== 1; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(after, 1);
    } finally {
      pool.close();
      instance.closeSync();
    }
  });

  it('lends a larger memory bound to its queries and lowers it after the last', async () => {
    const instance = await DuckDBInstance.create(':memory:', {
      threads: '1',
      memory_limit: '128MB',
    });
    const pool = await openPool(instance, {
      size: 1,
      threads: { read: 2, idle: 1, lingerMs: 200 },
      memoryLimit: { read: '256MB', idle: '128MB' },
    });
    try {
      const limitNow = async (): Promise<string> => {
        const conn = await instance.connect();
        try {
          const r = await conn.runAndReadAll(`SELECT current_setting('memory_limit') AS m`);
          return r.getRowObjectsJS()[0]?.['m'] as string;
        } finally {
          conn.closeSync();
        }
      };
      const idle = await limitNow();
      const rows = await pool.all(`SELECT current_setting('memory_limit') AS m`);
      const during = rows[0]?.['m'] as string;
      assert.notEqual(during, idle);
      assert.match(during, /^2[45]\d(\.\d)? MiB$/);
      let after = '';
      for (let i = 0; i < 150 && (after = await limitNow()) !== idle; i++) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(after, idle);
    } finally {
      pool.close();
      instance.closeSync();
    }
  });

  it('refuses a memory bound that is not a size', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    await assert.rejects(
      openPool(instance, {
        threads: { read: 2, idle: 1 },
        memoryLimit: { read: "1GB'; DROP TABLE x; --", idle: '128MB' },
      }),
      /not a DuckDB memory size/,
    );
    instance.closeSync();
  });

  it('leaves the threads alone without the option', async () => {
    const instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    const pool = await openPool(instance, { size: 1 });
    try {
      const rows = await pool.all(`SELECT current_setting('threads') AS t`);
      assert.equal(Number(rows[0]?.['t']), 1);
    } finally {
      pool.close();
      instance.closeSync();
    }
  });
});
