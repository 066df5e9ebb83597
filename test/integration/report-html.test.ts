/**
 * The HTML report in a real headless Chromium: it renders offline, its charts
 * have a size, and attacker strings planted in every kind of field show as
 * text and never run.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { createFixtureDb } from '../fixtures/analysis/fixture-db.js';
import { loadScenario } from '../fixtures/analysis/hand-made-scenario.js';
import { runReport } from './report-helpers.js';

const PAYLOADS = [
  '<script>window.__pwned=1</script>',
  '<img src=x onerror="window.__pwned=2">',
  '"><svg onload="window.__pwned=3"></svg>',
] as const;

interface PageState {
  pwned: unknown;
  scripts: number;
  imgs: number;
  onload: number;
  svgs: { w: number; h: number; shapes: number }[];
  text: string;
  title: string;
}

describe('HTML report in headless Chromium', () => {
  let dir: string;
  let browser: Browser;
  let html: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sipsnare-report-html-'));
    const dbPath = join(dir, 'store.duckdb');
    const fx = await createFixtureDb(dbPath);
    await loadScenario(fx);
    // Attacker strings in a user agent, a source IP, a number, a username and a password.
    await fx.insertCalls(
      PAYLOADS.map((p, n) => ({
        src_ip: `${p}${n}`,
        dialed_number: `+1${p}`,
        src_cc: 'FR',
        dst_cc: 'US',
        ua_label: p,
        ua_category: 'custom',
      })),
    );
    await fx.insertEvents([
      {
        src_ip: PAYLOADS[1],
        method: 'REGISTER',
        auth_user: PAYLOADS[0],
        from_user: PAYLOADS[0],
        password_guess: PAYLOADS[2],
        guess_source: 'configured',
        auth_ok: true,
      },
    ]);
    fx.close();
    html = join(dir, 'report.html');
    const res = await runReport([
      '--db',
      dbPath,
      '--format',
      'html',
      '--out',
      html,
      '--graph',
      '2.2.2.2',
      '--graph',
      `${PAYLOADS[0]}0`,
    ]);
    assert.equal(res.code, 0, res.stderr);
    browser = await chromium.launch({
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  after(async () => {
    await browser.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renders with visible charts, runs no planted script and logs no error', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(html).href);
    // Runs in the page; a string keeps DOM types out of this Node program.
    const state: PageState = await page.evaluate<PageState>(`(() => {
      const svgs = [...document.querySelectorAll('svg.chart')].map((s) => {
        const b = s.getBoundingClientRect();
        return { w: b.width, h: b.height, shapes: s.querySelectorAll('rect, line, circle, polyline').length };
      });
      return {
        pwned: window.__pwned,
        scripts: document.querySelectorAll('script').length,
        imgs: document.querySelectorAll('img').length,
        onload: document.querySelectorAll('[onload], [onerror]').length,
        svgs,
        text: document.body.innerText,
        title: document.title,
      };
    })()`);
    assert.equal(state.pwned, undefined);
    assert.equal(state.scripts, 0);
    assert.equal(state.imgs, 0);
    assert.equal(state.onload, 0);
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, []);
    assert.equal(state.title, 'sipsnare report');
    // Bar charts (Figures 3, 4), graphs (Figure 5), heat-map, time series: all drawn with a size.
    assert.ok(state.svgs.length >= 8, `only ${state.svgs.length} charts`);
    for (const s of state.svgs) assert.ok(s.w > 50 && s.h > 20 && s.shapes > 0, JSON.stringify(s));
    // The payloads are shown as text, which is what proves they were escaped.
    for (const p of PAYLOADS) assert.ok(state.text.includes(p), `payload not shown as text: ${p}`);
    if (process.env['REPORT_SCREENSHOT'] !== undefined) {
      await page.screenshot({ path: process.env['REPORT_SCREENSHOT'], fullPage: true });
    }
    await page.close();
  });
});
