/**
 * @module
 * The whole analysis chain against the simulator's ground truth: simulate a
 * few days, `sipsnare ingest` them into a store, `sipsnare report --format
 * json`, and compare with truth.json. Message counts and unique sources are
 * exact; unified INVITEs may differ by 2% and destination countries must be
 * at least 97% right, because the report has to recover each true number
 * from prefixed, sometimes ambiguous dial strings (Figure 2).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { Command, CommandIo } from '../../src/cli/command.js';
import { command as ingest } from '../../src/cli/commands/ingest.js';
import { command as number } from '../../src/cli/commands/number.js';
import { command as report } from '../../src/cli/commands/report.js';
import { command as simulate } from '../../src/cli/commands/simulate.js';
import { openStoreReadOnly } from '../../src/store/open-read-only.js';

interface Counted {
  count: number;
}
interface Doc {
  summary: Record<string, number>;
  destination_countries: (Counted & { cc: string | null })[];
  source_countries: (Counted & { cc: string | null })[];
  top_sources: (Counted & { ip: string })[];
  user_agents: (Counted & { label: string })[];
  destinations: (Counted & { number: string; label?: string | null })[];
  number_methods: (Counted & { method: string | null })[];
  extra: { dial_shapes: { shape: string; invites: number }[] };
}

function capture(): CommandIo & { out: () => string; err: () => string } {
  const make = (): Writable & { text: string } => {
    const w = new Writable({
      write(chunk: Buffer, _enc, cb) {
        w.text += chunk.toString();
        cb();
      },
    }) as Writable & { text: string };
    w.text = '';
    return w;
  };
  const stdout = make();
  const stderr = make();
  return {
    stdout,
    stderr,
    stopSignal: new AbortController().signal,
    out: () => stdout.text,
    err: () => stderr.text,
  };
}

async function run(cmd: Command, args: string[]): Promise<string> {
  const io = capture();
  const code = await cmd.run(args, io);
  assert.equal(code, 0, `${cmd.name} ${args.join(' ')} failed: ${io.err()}`);
  return io.out();
}

/** Share of the truth's counts the report matches, key by key. */
function agreement(
  truth: (Counted & { key: string | null })[],
  got: (Counted & { key: string | null })[],
): number {
  const have = new Map(got.map((g) => [g.key, g.count]));
  const total = truth.reduce((a, t) => a + t.count, 0);
  const hit = truth.reduce((a, t) => a + Math.min(t.count, have.get(t.key) ?? 0), 0);
  return total === 0 ? 1 : hit / total;
}

const root = mkdtempSync(join(tmpdir(), 'sipsnare-simrep-'));

for (const format of ['legacy', 'jsonl'] as const) {
  describe(`simulated ${format} traffic through ingest and report`, () => {
    const dir = join(root, format);
    const db = join(root, `${format}.duckdb`);
    let truth: Doc;
    let got: Doc;
    before(async () => {
      await run(simulate, [
        '--out',
        dir,
        '--days',
        '3',
        '--sensors',
        '3',
        '--scale',
        '0.2',
        '--seed',
        'chain',
        '--format',
        format,
      ]);
      const logs = readdirSync(dir)
        .filter((f) => f.startsWith('hp'))
        .map((f) => join(dir, f));
      await run(ingest, ['--db', db, ...logs]);
      got = JSON.parse(
        await run(report, [
          '--db',
          db,
          '--format',
          'json',
          '--top',
          '100000',
          '--labels',
          join(dir, 'number-labels.csv'),
        ]),
      ) as Doc;
      truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as Doc;
    });
    after(() => {
      rmSync(join(root, format), { recursive: true, force: true });
      rmSync(db, { force: true });
      rmSync(`${db}.wal`, { force: true });
    });

    it('finds exactly the message counts, sources, ASNs, countries and days', () => {
      for (const key of [
        'register_messages',
        'invite_messages',
        'unique_ips',
        'unique_asns',
        'unique_source_countries',
        'days',
      ]) {
        assert.equal(got.summary[key], truth.summary[key], key);
      }
    });

    it('finds the unified INVITEs within 2%', () => {
      const want = truth.summary['unified_invites'] ?? 0;
      const have = got.summary['unified_invites'] ?? 0;
      assert.ok(want > 50, 'too few calls to be a test');
      assert.ok(Math.abs(have - want) <= want * 0.02, `report ${have}, truth ${want}`);
    });

    it('puts at least 97% of the calls in the right destination and source country', () => {
      const dst = agreement(
        truth.destination_countries.map((d) => ({ key: d.cc, count: d.count })),
        got.destination_countries.map((d) => ({ key: d.cc, count: d.count })),
      );
      assert.ok(dst >= 0.97, `destination countries ${(dst * 100).toFixed(2)}% right`);
      const src = agreement(
        truth.source_countries.map((d) => ({ key: d.cc, count: d.count })),
        got.source_countries.map((d) => ({ key: d.cc, count: d.count })),
      );
      assert.ok(src >= 0.97, `source countries ${(src * 100).toFixed(2)}% right`);
    });

    it('finds the called numbers and names the famous ones from number-labels.csv', () => {
      const numbers = agreement(
        truth.destinations.map((d) => ({ key: d.number, count: d.count })),
        got.destinations.map((d) => ({ key: d.number, count: d.count })),
      );
      assert.ok(numbers >= 0.97, `numbers ${(numbers * 100).toFixed(2)}% right`);
      const labelled = truth.destinations.filter((d) => d.label);
      assert.ok(labelled.length > 0, 'no famous number was called');
      const byNumber = new Map(got.destinations.map((d) => [d.number, d.label]));
      for (const d of labelled) assert.equal(byNumber.get(d.number), d.label, d.number);
    });

    it('resolves bare national numbers by store-wide evidence, counts them and explains them', async () => {
      const bare = truth.extra.dial_shapes.find((d) => d.shape === 'bare_national');
      assert.ok((bare?.invites ?? 0) > 0, 'the simulator wrote no bare national number');
      const store = got.number_methods.find((m) => m.method === 'store');
      assert.ok(
        (store?.count ?? 0) > 0,
        `no call counted as store: ${JSON.stringify(got.number_methods)}`,
      );
      const opened = await openStoreReadOnly(db);
      let rows;
      try {
        rows = await opened.db.all(
          `SELECT dialed, dialed_number FROM events WHERE number_method = 'store' ORDER BY dialed LIMIT 1`,
        );
      } finally {
        opened.close();
      }
      const dialed = String(rows[0]?.['dialed']);
      const e164 = String(rows[0]?.['dialed_number']);
      const out = await run(number, ['--db', db, dialed]);
      assert.match(out, /with the evidence of other sources in /);
      assert.ok(
        out.includes(`-> ${e164}`) && out.includes('found store'),
        `number --db does not give ${dialed} the store's ${e164}:\n${out}`,
      );
      assert.match(
        out,
        /store: ".*" is the national part of \+\d+, which \d+ source\(s\) in the store dialled in full/,
      );
    });

    it('ranks the same top sources as the truth', () => {
      const top = (d: Doc): string[] => d.top_sources.slice(0, 3).map((s) => s.ip);
      assert.deepEqual(top(got), top(truth));
    });
  });
}

after(() => {
  rmSync(root, { recursive: true, force: true });
});
