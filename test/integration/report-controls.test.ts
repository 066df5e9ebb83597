/**
 * Control characters in attacker strings never reach a text output raw:
 * `sipsnare report` as text, CSV, DOT and JSON over a store whose source
 * address, user agent and username carry ESC, BEL, NUL and C1 controls
 * (as a store filled before JSON-lines imports checked `src_ip` may hold).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFixtureDb } from '../fixtures/analysis/fixture-db.js';
import { loadScenario } from '../fixtures/analysis/hand-made-scenario.js';
import { runReport } from './report-helpers.js';

const HOSTILE_IP = '\u001b[31m6.6.6.6\u0007\u0000\u009b2J';
const HOSTILE_UA = 'evil\u001b]0;owned\u0007\u0085agent';

/** Control characters other than the line ends and tabs a format writes itself. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

describe('report outputs escape control characters', () => {
  let dir: string;
  let db: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sipsnare-report-controls-'));
    db = join(dir, 'store.duckdb');
    const fx = await createFixtureDb(db);
    await loadScenario(fx);
    await fx.insertCalls([
      {
        src_ip: HOSTILE_IP,
        dialed_number: '+15551234',
        src_cc: 'FR',
        dst_cc: 'US',
        ua_label: HOSTILE_UA,
        ua_category: 'custom',
      },
    ]);
    await fx.insertEvents([
      { src_ip: HOSTILE_IP, method: 'REGISTER', auth_user: HOSTILE_UA, user_agent: HOSTILE_UA },
    ]);
    fx.close();
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  for (const format of ['text', 'csv', 'json'] as const) {
    it(`${format}: no raw control character, the hostile strings shown escaped`, async () => {
      const res = await runReport(['--db', db, '--format', format, '--top', '50']);
      assert.equal(res.code, 0, res.stderr);
      assert.doesNotMatch(res.stdout, RAW_CONTROL);
      assert.ok(res.stdout.includes('6.6.6.6'), 'the hostile source is listed');
    });
  }

  it('dot: no raw control character in the label of a hostile source', async () => {
    const res = await runReport(['--db', db, '--format', 'dot', '--graph', HOSTILE_IP]);
    assert.equal(res.code, 0, res.stderr);
    assert.doesNotMatch(res.stdout, RAW_CONTROL);
    assert.ok(res.stdout.includes('\\\\u{1b}[31m6.6.6.6\\\\u{7}\\\\u{0}\\\\u{9b}2J'), res.stdout);
  });
});
