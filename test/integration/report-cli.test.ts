/**
 * `sipsnare report` end to end over a store file: every format, the CSV
 * directory layout with formula neutralisation, labels, scope options and
 * usage errors.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFixtureDb } from '../fixtures/analysis/fixture-db.js';
import { loadScenario } from '../fixtures/analysis/hand-made-scenario.js';
import { parseCsv } from '../../src/csv.js';
import { runReport } from './report-helpers.js';

describe('sipsnare report command', () => {
  let dir: string;
  let db: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sipsnare-report-cli-'));
    db = join(dir, 'store.duckdb');
    const fx = await createFixtureDb(db);
    await loadScenario(fx);
    await fx.insertCalls([
      {
        src_ip: '9.9.9.9',
        dialed_number: '+15551234',
        src_cc: 'FR',
        dst_cc: 'US',
        ua_label: '=cmd|" /C calc"!A0',
        ua_category: 'custom',
      },
    ]);
    fx.close();
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('json carries the documented report keys with shares as fractions', async () => {
    const res = await runReport(['--db', db, '--format', 'json']);
    assert.equal(res.code, 0, res.stderr);
    const r = JSON.parse(res.stdout) as Record<string, unknown> & {
      summary: Record<string, number>;
      top_sources: Record<string, unknown>[];
    };
    for (const k of [
      'summary',
      'user_agents',
      'source_countries',
      'top_sources',
      'destination_countries',
      'country_pairs',
      'destinations',
      'number_types',
      'number_methods',
    ]) {
      assert.ok(k in r, `missing ${k}`);
    }
    for (const k of [
      'register_messages',
      'invite_messages',
      'unified_invites',
      'unique_ips',
      'unique_asns',
      'unique_source_countries',
      'days',
    ]) {
      assert.equal(typeof r.summary[k], 'number', k);
    }
    assert.equal(r.summary['unified_invites'], 16);
    assert.deepEqual(
      Object.keys(r.top_sources[0] ?? {}).filter((k) =>
        ['ip', 'count', 'cc', 'asn', 'destination_countries', 'user_agent'].includes(k),
      ).length,
      6,
    );
  });

  it('text shows Table 1 and bar charts', async () => {
    const res = await runReport(['--db', db]);
    assert.equal(res.code, 0);
    assert.match(res.stdout, /Unified INVITE messages\s+16/);
    assert.match(res.stdout, /VaxSIPUserAgent\/3\.0 .* 50\.00%\s+█/);
  });

  it('csv --out DIR writes one file per section with formulas neutralised', async () => {
    const out = join(dir, 'csv');
    const res = await runReport(['--db', db, '--format', 'csv', '--out', out]);
    assert.equal(res.code, 0, res.stderr);
    const files = readdirSync(out);
    for (const f of [
      'summary.csv',
      'user_agents.csv',
      'top_sources.csv',
      'country_pairs.csv',
      'phases.csv',
      'usernames.csv',
    ]) {
      assert.ok(files.includes(f), f);
    }
    const rows = parseCsv(readFileSync(join(out, 'user_agents.csv'), 'utf8'));
    const cell = rows.map((r) => r[0]).find((c) => c?.includes('cmd'));
    assert.equal(cell, `'=cmd|" /C calc"!A0`);
    const numbers = parseCsv(readFileSync(join(out, 'destinations.csv'), 'utf8')).map((r) => r[0]);
    assert.ok(numbers.includes("'+420212345678"));
  });

  it('csv to stdout introduces each section with a header line', async () => {
    const res = await runReport(['--db', db, '--format', 'csv']);
    assert.match(res.stdout, /^# section: summary\r\n/);
    assert.match(res.stdout, /\r\n# section: country_pairs\r\n/);
  });

  it('dot draws the chosen source and its destination countries', async () => {
    const res = await runReport(['--db', db, '--format', 'dot', '--graph', '2.2.2.2']);
    assert.equal(res.code, 0);
    assert.match(res.stdout, /^digraph calls \{/);
    assert.equal((res.stdout.match(/ -> /g) ?? []).length, 8);
  });

  it('--labels names called numbers; --from/--to narrow the scope', async () => {
    const labels = join(dir, 'labels.csv');
    writeFileSync(labels, 'number,label\n"+420 212 345 678","Prepaid card, CZ"\n');
    const res = await runReport([
      '--db',
      db,
      '--format',
      'json',
      '--labels',
      labels,
      '--from',
      '2012-01-04',
      '--to',
      '2012-01-04',
    ]);
    const r = JSON.parse(res.stdout) as {
      destinations: { number: string; label: string | null }[];
      summary: { unified_invites: number };
    };
    assert.equal(r.destinations[0]?.label, 'Prepaid card, CZ');
    assert.equal(r.summary.unified_invites, 6);
  });

  it('rejects bad options with a usage error and a missing store with a store error', async () => {
    assert.equal((await runReport(['--format', 'json'])).code, 2);
    assert.equal((await runReport(['--db', db, '--from', '2012-13-01'])).code, 2);
    assert.equal((await runReport(['--db', db, '--format', 'pdf'])).code, 2);
    assert.equal((await runReport(['--db', db, '--top', '0'])).code, 2);
    const missing = await runReport(['--db', join(dir, 'nope.duckdb')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no store/);
  });
});
