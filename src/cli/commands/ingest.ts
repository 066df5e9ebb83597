/**
 * @module
 * `sipsnare ingest`: imports legacy listener logs, our JSON lines, Honeynet
 * records, PBX security logs and packet captures into a store, enriching at
 * import. Progress goes to stderr; with --json the last stdout line is the
 * summary object. Rejected lines are reported, never fatal.
 */
import { parseArgs } from 'node:util';
import { UsageError } from '../../errors.js';
import { isSensorId, SENSOR_ID_RULE } from '../../events/catalog.js';
import { ingestPaths, type IngestReport } from '../../ingest/pipeline.js';
import { progressReporter } from '../../ingest/progress.js';
import { DEFAULT_GAP_MINUTES } from '../../store/calls.js';
import { loadEnricher } from '../../store/enricher.js';
import { openStore } from '../../store/store.js';
import type { Command } from '../command.js';

/** DuckDB's memory bound during an import unless --memory-limit says otherwise. */
export const DEFAULT_INGEST_MEMORY = '2GB';

const usage = `usage: sipsnare ingest --db FILE [--json] [--sensor-id ID] [--gap MINUTES]
                      [--memory-limit SIZE] PATH...

  --db FILE         store to write (created when missing)
  --json            print the summary as one JSON object (last stdout line)
  --sensor-id ID    sensor of every imported record (default: file name
                    without extensions; JSON lines keep their own)
  --gap MINUTES     unification gap between INVITEs of one call (default ${DEFAULT_GAP_MINUTES})
  --memory-limit S  DuckDB's memory bound, e.g. 1GB, 512MB (default ${DEFAULT_INGEST_MEMORY});
                    larger work spills to a temporary folder beside the store
  PATH              files or directories (walked); .gz read transparently

Formats are recognised by content: our JSON lines, the legacy listener log
(Figure 1), Honeynet SIP honeypot records, Asterisk/FreeSWITCH security
logs, pcap and pcapng captures. Re-importing adds nothing; a grown file adds
only its new lines.
`;

function text(r: IngestReport): string {
  const out: string[] = [];
  for (const f of r.files) {
    out.push(
      `${f.path}: ${f.status}${f.format ? ` (${f.format}, sensor ${f.sensor})` : ''}, ` +
        `${f.lines} lines, ${f.events} events added, ${f.duplicates} duplicates, ${f.rejected} rejected` +
        (f.error ? ` - ${f.error}` : ''),
    );
    for (const rej of f.rejects) out.push(`  ${f.path}:${rej.line}: ${rej.reason}`);
    if (f.rejected > f.rejects.length)
      out.push(`  ... ${f.rejected - f.rejects.length} more rejected`);
  }
  out.push(
    `total: ${r.events} events added, ${r.duplicates} duplicates, ${r.rejected} rejected, ${r.calls} unified INVITEs`,
  );
  return out.join('\n') + '\n';
}

export const command: Command = {
  name: 'ingest',
  summary: 'import legacy logs, JSON lines, PBX logs and captures into a store',
  usage,
  async run(argv, io) {
    let values: {
      db?: string;
      json?: boolean;
      'sensor-id'?: string;
      gap?: string;
      'memory-limit'?: string;
    };
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({
        args: [...argv],
        options: {
          db: { type: 'string' },
          json: { type: 'boolean' },
          'sensor-id': { type: 'string' },
          gap: { type: 'string' },
          'memory-limit': { type: 'string' },
        },
        allowPositionals: true,
        strict: true,
      }));
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    if (values.db === undefined) throw new UsageError('--db FILE is required');
    if (positionals.length === 0) throw new UsageError('give at least one PATH to import');
    const gapText = values.gap ?? String(DEFAULT_GAP_MINUTES);
    if (!/^\d{1,6}$/.test(gapText)) throw new UsageError(`--gap wants minutes, got "${gapText}"`);
    const sensorId = values['sensor-id'];
    if (sensorId !== undefined && !isSensorId(sensorId)) {
      throw new UsageError(`--sensor-id must be ${SENSOR_ID_RULE}`);
    }
    const memoryLimit = values['memory-limit'] ?? DEFAULT_INGEST_MEMORY;
    if (!/^\d{1,6}(?:\.\d{1,3})?\s?(?:KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(memoryLimit)) {
      throw new UsageError(
        `--memory-limit wants a size such as 2GB or 512MB, got "${memoryLimit}"`,
      );
    }
    const store = await openStore(values.db, { memoryLimit });
    const progress = progressReporter(io.stderr);
    try {
      const report = await ingestPaths(store, positionals, {
        enricher: await loadEnricher(),
        gapMinutes: Number(gapText),
        ...(sensorId !== undefined ? { sensorId } : {}),
        onProgress: progress.onProgress,
        signal: io.stopSignal,
      });
      progress.done();
      if (values.json) io.stdout.write(JSON.stringify(report) + '\n');
      else io.stdout.write(text(report));
      if (io.stopSignal.aborted) {
        io.stderr.write('ingest: stopped; run the same command again to import the rest\n');
        return 130;
      }
      return report.files.some((f) => f.status === 'error') ? 1 : 0;
    } finally {
      progress.done();
      store.close();
    }
  },
};
