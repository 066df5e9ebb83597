/**
 * The report tells the attacks: the hand-made scenario (a source that
 * scans, enumerates, cracks extension 101 and calls; a hub; callers), plus
 * a source with a very long, wide and hostile user agent and AS name.
 * Checks: the text fits 120 columns on every line; cracked extensions come
 * right after the summary with their caption; user agents of all traffic
 * stand beside those of calls; every source reaching a phase is counted,
 * not only the strict funnel; the stories of the top sources carry the
 * API's field names (compared with /api/sources/{ip} and /api/user-agents
 * of a real server over the same store), and the text, HTML and JSON
 * formats show the same facts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createFixtureDb, type FixtureDb } from '../../test/fixtures/analysis/fixture-db.js';
import { loadScenario } from '../../test/fixtures/analysis/hand-made-scenario.js';
import { buildReport } from '../analysis/build.js';
import type { Report } from '../analysis/types.js';
import { silentLogger } from '../log.js';
import { startServer, type RunningServer } from '../server/start.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { CRACKED_CAPTION } from './story-tables.js';
import { LINE_WIDTH, renderText } from './text.js';
import { displayWidth } from './text-width.js';

const WIDE_UA = `全角の攻撃ツール😀 <script>alert(1)</script> ${'x'.repeat(300)}`;
const LONG_AS = `THE VERY LONG NAME OF AN AUTONOMOUS SYSTEM ${'Y'.repeat(200)}`;

describe('the report tells the attacks in every format', () => {
  let fx: FixtureDb;
  let report: Report;
  let server: RunningServer;
  before(async () => {
    fx = await createFixtureDb();
    await loadScenario(fx);
    const rows = [];
    for (let i = 0; i < 40; i++) {
      rows.push({
        src_ip: '203.0.113.77',
        src_cc: 'JP',
        src_asn: 64511,
        src_as_name: LONG_AS,
        method: 'REGISTER',
        to_user: String(1000 + i),
        ua_label: WIDE_UA,
        user_agent: WIDE_UA,
        ts: '2012-01-03 01:00:00',
      });
    }
    await fx.insertEvents(rows);
    report = await buildReport(fx.db, {
      filter: {},
      top: 10,
      now: () => new Date('2026-01-01T00:00:00Z'),
    });
    server = await startServer({
      instance: fx.instance,
      listen: '127.0.0.1:0',
      token: null,
      log: silentLogger(),
    });
  });
  after(async () => {
    await server.close();
    fx.close();
  });

  it('fits the text in 120 columns on every line', () => {
    const text = renderText(report, 10);
    const lines = text.split('\n');
    const over = lines.filter((l) => displayWidth(l) > LINE_WIDTH);
    assert.deepEqual(over, []);
    assert.ok(lines.length > 50);
    // The wide user agent is there, cut, not dropped.
    assert.ok(text.includes('全角の攻撃ツール'));
  });

  it('puts the cracked extensions right after the summary, with what it means', () => {
    const text = renderText(report, 10);
    const cracked = text.indexOf('Extensions cracked');
    assert.ok(cracked > text.indexOf('Summary (Table 1)'));
    assert.ok(cracked < text.indexOf('User agents of unified INVITEs'));
    assert.ok(text.includes('An extension is cracked when a source authenticated with its real'));
    const html = renderHtml(report, 10);
    assert.ok(html.indexOf('id="cracked"') < html.indexOf('id="user-agents"'));
    assert.ok(html.includes(CRACKED_CAPTION.slice(0, 60)));
    assert.equal(report.credentials.cracked[0]?.username, '101');
  });

  it('shows the user agents of all traffic beside those of calls, as the API does', async () => {
    const labels = report.user_agents_all_traffic.map((u) => u.label);
    assert.ok(labels.includes('friendly-scanner'), labels.join(', '));
    assert.ok(!report.user_agents.some((u) => u.label === 'friendly-scanner'));
    const api = (await (await fetch(new URL('/api/user-agents?top=10', server.url))).json()) as {
      all_traffic: unknown;
    };
    assert.deepEqual(report.user_agents_all_traffic, api.all_traffic);
    const text = renderText(report, 10);
    assert.ok(text.indexOf('User agents of all traffic') > text.indexOf('User-agent categories'));
    assert.ok(renderHtml(report, 10).includes('id="t-user_agents_all_traffic"'));
  });

  it('counts every source that reached a phase, beside the strict funnel', () => {
    const ph = report.phases;
    // 2.2.2.2 and the 3.3.3.x callers called without scanning: abuse is reached by more
    // sources than the strict funnel lets through.
    assert.ok(ph.totals.abuse > (ph.funnel.find((f) => f.stage === 'abuse')?.sources ?? 0));
    const text = renderText(report, 10);
    const row = text.split('\n').find((l) => l.startsWith('abuse '));
    assert.ok(row?.includes(String(ph.totals.abuse)), row);
    assert.ok(text.includes('how many sources reached each'));
  });

  it("tells the top sources' stories with the API's field names, alike in JSON, text and HTML", async () => {
    assert.ok(report.source_stories.length >= 2);
    const attacker = report.source_stories.find((s) => s.ip === '1.1.1.1');
    assert.ok(attacker, 'the source that cracked 101 is told');
    const api = (await (await fetch(new URL('/api/sources/1.1.1.1', server.url))).json()) as Record<
      string,
      unknown
    >;
    const json = JSON.parse(renderJson(report)) as { source_stories: Record<string, unknown>[] };
    const story = json.source_stories.find((s) => s['ip'] === '1.1.1.1');
    assert.deepEqual(Object.keys(story ?? {}).sort(), Object.keys(api).sort());
    assert.deepEqual(story, api);
    assert.deepEqual(
      attacker.phases.map((p) => p.phase),
      ['scanning', 'enumeration', 'brute_force', 'abuse'],
    );
    assert.deepEqual(attacker.cracked[0]?.user, '101');

    const text = renderText(report, 10);
    const html = renderHtml(report, 10);
    const told = text.slice(text.indexOf('The most active sources, told'));
    for (const fact of ['1.1.1.1', '101:101 x1 CRACKED', '101 with 101 at 2012-01-02 08:00']) {
      assert.ok(told.includes(fact), `text: ${fact}`);
      assert.ok(html.includes(fact), `html: ${fact}`);
    }
    assert.ok(told.includes('CN, AS4134 CHINANET'));
    // Attacker strings are escaped in HTML, shown as text.
    assert.ok(!html.includes('<script>alert(1)</script>'));
  });
});
