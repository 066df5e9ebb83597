/**
 * End to end on real attack traffic: `sipsnare ingest` of the Honeynet
 * forensic challenge 4 log, then `sipsnare report`. Its SIPVicious attack has
 * a known shape: one scanning source that probes ~2,655 extensions and sends
 * 124 cracking attempts (REGISTER with Authorization for users 101, 102, 103
 * and 111), and a Zoiper client that places 4 international INVITEs.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '../../src/analysis/types.js';
import { REPO_ROOT, testdata } from '../helpers/shared.js';
import { runReport } from './report-helpers.js';

const LOG = testdata('attack-traffic', 'honeynet-fc4-2010-voip', 'logs_v3.txt');

describe('report over the Honeynet FC4 SIPVicious attack', () => {
  let dir: string;
  let report: Report;
  let db: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sipsnare-report-honeynet-'));
    db = join(dir, 'store.duckdb');
    const ingest = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), 'ingest', '--db', db, LOG],
      { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 },
    );
    assert.equal(ingest.status, 0, `ingest failed: ${ingest.stderr || ingest.stdout}`);
    const res = await runReport(['--db', db, '--format', 'json', '--top', '50']);
    assert.equal(res.code, 0, res.stderr);
    report = JSON.parse(res.stdout) as Report;
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds one scanner that enumerates ~2,655 extensions and brute-forces four users', () => {
    const scanner = report.phases.sources.find((s) => s.ip === '210.184.X.Y');
    assert.ok(scanner, 'scanner source missing');
    assert.deepEqual(scanner.phases, ['scanning', 'enumeration', 'brute_force']);
    assert.ok(
      scanner.enum_targets >= 2600 && scanner.enum_targets <= 2700,
      String(scanner.enum_targets),
    );
    assert.equal(report.phases.totals.scanning, 1);
    const users = report.credentials.usernames.map((u) => u.username);
    for (const u of ['101', '102', '103', '111']) assert.ok(users.includes(u), `user ${u}`);
  });

  it('counts the 124 cracking attempts carrying Authorization', () => {
    // 124 requests carry Authorization: 120 svcrack REGISTERs from the
    // scanner, and 4 of the Zoiper client (2 REGISTER, 2 SUBSCRIBE as 101).
    assert.equal(report.credentials.auth_attempts, 124);
    const scanner = report.phases.sources.find((s) => s.ip === '210.184.X.Y');
    assert.equal(scanner?.auth_attempts, 120);
    const caller = report.phases.sources.find((s) => s.ip === '89.42.194.X');
    assert.equal(caller?.auth_attempts, 4);
    const users = new Map(report.credentials.usernames.map((u) => [u.username, u]));
    assert.equal(users.get('101')?.sources, 2, 'user 101: the scanner and the Zoiper client');
    assert.equal(users.get('111')?.sources, 1);
  });

  it('finds the Zoiper caller and its 4 international INVITEs', () => {
    assert.equal(report.summary.invite_messages, 4);
    assert.ok(report.summary.unified_invites >= 1 && report.summary.unified_invites <= 4);
    const caller = report.phases.sources.find((s) => s.ip === '89.42.194.X');
    assert.ok(caller, 'caller missing');
    assert.ok(caller.phases.includes('abuse'));
    assert.equal(caller.external_invites, 4);
    assert.match(report.user_agents[0]?.label ?? '', /Zoiper/);
    assert.equal(report.top_sources[0]?.ip, '89.42.194.X');
  });

  it("prints the phase rows of docs/report.md's example, figure for figure", async () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs', 'report.md'), 'utf8');
    const example = doc.slice(doc.indexOf('## Example'));
    const rowsOf = (text: string): string[] =>
      text
        .split('\n')
        .filter((l) => /^(210\.184\.X\.Y|89\.42\.194\.X) +- +\S/.test(l))
        .map((l) => l.trim().split(/\s+/).join(' '));
    const documented = rowsOf(example);
    assert.equal(documented.length, 2, 'the example shows the two sources');
    const res = await runReport(['--db', db]);
    assert.equal(res.code, 0, res.stderr);
    const section = res.stdout.slice(res.stdout.indexOf('Sources by attack phase'));
    assert.deepEqual(rowsOf(section).slice(0, 2), documented);
    // The caption's figures: the caller's INVITEs and the unified calls they make.
    const caption = /places (\d+)\s+international INVITEs, (\d+) unified calls/.exec(example);
    assert.ok(caption, "the example's caption gives the INVITEs and the unified calls");
    assert.equal(report.summary.invite_messages, Number(caption[1]));
    assert.equal(report.summary.unified_invites, Number(caption[2]));
  });
});
