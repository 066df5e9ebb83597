/**
 * @module
 * Shared set-up of the ingest integration tests: a fresh store in a temp
 * dir, an import run without geo data (fast), and row queries. Everything
 * it opens is closed and removed by `done`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestPaths, type IngestReport } from '../../src/ingest/import.js';
import { NO_ENRICHMENT, type Enricher } from '../../src/store/enricher.js';
import { openStore, type Store } from '../../src/store/store.js';

export interface Scratch {
  readonly dir: string;
  readonly store: Store;
  ingest(
    paths: string[],
    opts?: { sensorId?: string; enricher?: Enricher; gap?: number },
  ): Promise<IngestReport>;
  rows(sql: string, params?: (string | number)[]): Promise<Record<string, unknown>[]>;
  done(): void;
}

export async function scratch(): Promise<Scratch> {
  const dir = mkdtempSync(join(tmpdir(), 'snare-ingest-'));
  const store = await openStore(join(dir, 'store.duckdb'));
  return {
    dir,
    store,
    ingest(paths, opts = {}) {
      return ingestPaths(store, paths, {
        enricher: opts.enricher ?? NO_ENRICHMENT,
        gapMinutes: opts.gap ?? 60,
        ...(opts.sensorId !== undefined ? { sensorId: opts.sensorId } : {}),
      });
    },
    async rows(sql, params = []) {
      return (await store.conn.runAndReadAll(sql, params)).getRowObjectsJS();
    },
    done() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
