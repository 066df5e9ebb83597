/**
 * The dashboard in a real browser (Debian's chromium through playwright-core)
 * over `sipsnare run` on loopback ports: svmap, svwar, svcrack and an INVITE
 * carrying script-like strings drive the sensor; the overview counters, the
 * source's story (with the cracked password) and the live stream must show
 * them, attacker strings must stay text, and the pages must load nothing
 * from outside. Screenshots go to test-output/screenshots (gitignored).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { stringify } from 'yaml';
import { REPO_ROOT, testdata } from '../helpers/shared.js';
import { freePort, runTool } from './sensor-process.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = join(REPO_ROOT, 'test-output', 'screenshots');
const WORDLIST = testdata('asterisk-reference', 'alwaysauthreject_no', 'svcrack_wordlist.txt');
const XSS_UA = '<script>window.__xss=1</script>';
const XSS_DISPLAY = '"><img src=x onerror=window.__xss=2>';
const XSS_DIALED = 'javascript:alert(1)';
const missing = ['svmap', 'svwar', 'svcrack'].filter(
  (t) => runTool('sh', ['-c', `command -v ${t}`]).status !== 0,
);
const skip = !existsSync(CHROMIUM)
  ? 'chromium not installed (/usr/bin/chromium)'
  : missing.length > 0
    ? `sipvicious not installed (${missing.join(', ')})`
    : false;

async function until(what: string, fn: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function invite(port: number, local: number): Buffer {
  const lines = [
    `INVITE sip:${XSS_DIALED}@127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK-dash-1;rport`,
    'Max-Forwards: 70',
    `From: "${XSS_DISPLAY.replace(/"/g, '\\"')}" <sip:100@127.0.0.1>;tag=dash1`,
    `To: <sip:${XSS_DIALED}@127.0.0.1>`,
    'Call-ID: dashboard-xss-1',
    'CSeq: 1 INVITE',
    `User-Agent: ${XSS_UA}`,
    'Content-Length: 0',
    '',
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

async function sendInvite(port: number): Promise<void> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const answered = new Promise<void>((r) => {
    sock.once('message', () => {
      r();
    });
  });
  sock.send(invite(port, sock.address().port), port, '127.0.0.1');
  await Promise.race([answered, new Promise((r) => setTimeout(r, 3000))]);
  sock.close();
}

describe('dashboard in a browser', { skip }, () => {
  let dir = '';
  let child: ChildProcess | null = null;
  let browser: Browser | null = null;
  let page: Page;
  let base = '';
  let sipPort = 0;
  const outside: string[] = [];
  let out = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snare-dash-'));
    sipPort = await freePort();
    const httpPort = await freePort();
    const cfg = {
      sensor_id: 'dash01',
      listen: [`udp://127.0.0.1:${sipPort}`, `tcp://127.0.0.1:${sipPort}`],
      events: { jsonl: join(dir, 'events') },
      store: { db: join(dir, 'store.duckdb') },
      http: { listen: `127.0.0.1:${httpPort}` },
      persona: { preset: 'chan_sip_leaky', always_auth_reject: false },
      extensions: [{ number: '100', password: 'qwerty12' }],
    };
    writeFileSync(join(dir, 'run.yaml'), stringify(cfg));
    const c = spawn(
      process.execPath,
      [join(REPO_ROOT, 'bin', 'sipsnare'), 'run', '--config', join(dir, 'run.yaml')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = c;
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.stderr.on('data', (d: Buffer) => (out += d.toString()));
    await until(
      'the dashboard URL on stdout',
      () => Promise.resolve(out.includes('sipsnare dashboard: http://')),
      30_000,
    );
    base = `http://127.0.0.1:${httpPort}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('request', (r) => {
      if (!r.url().startsWith(base) && !r.url().startsWith('data:')) outside.push(r.url());
    });
    page.on('dialog', (d) => {
      outside.push('dialog: ' + d.message());
      void d.dismiss();
    });
    mkdirSync(SHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child?.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the live stream update as the attack tools run', async () => {
    await page.goto(`${base}/live`);
    await page.waitForSelector('#live-rows', { state: 'attached' });
    await new Promise((r) => setTimeout(r, 500)); // the EventSource connects
    const svmap = runTool('svmap', [
      '-p',
      String(sipPort),
      '-P',
      String(await freePort()),
      '127.0.0.1',
    ]);
    assert.equal(svmap.status, 0, svmap.out);
    await page.waitForSelector('#live-rows tr', { timeout: 5000 });
    const svwar = runTool('svwar', [
      '-e100-110',
      '-p',
      String(sipPort),
      '-P',
      String(await freePort()),
      '127.0.0.1',
    ]);
    assert.equal(svwar.status, 0, svwar.out);
    const svcrack = runTool('svcrack', [
      '-u',
      '100',
      '-d',
      WORDLIST,
      '-p',
      String(sipPort),
      '-P',
      String(await freePort()),
      '127.0.0.1',
    ]);
    assert.match(svcrack.out, /qwerty12/, svcrack.out);
    await sendInvite(sipPort);
    await until(
      'the INVITE in the live stream',
      async () => (await page.innerText('#live-rows')).includes(XSS_UA),
      5000,
    );
  });

  it('shows the overview counters', async () => {
    await until('the store to hold the REGISTERs', async () => {
      const s = (await (await fetch(`${base}/api/summary`)).json()) as {
        register_messages: number;
      };
      return s.register_messages > 0;
    });
    await page.goto(`${base}/`);
    await page.waitForSelector('#count-register_messages');
    const n = await page.textContent('#count-register_messages');
    assert.ok(Number((n ?? '0').replace(/,/g, '')) > 0, `REGISTER count shown: ${n}`);
    await page.waitForSelector('.chart svg');
    await page.screenshot({ path: join(SHOTS, 'overview.png'), fullPage: true });
  });

  it("shows the source's story with its cracked password", async () => {
    // The store commits a batch a second or more after svcrack's last answer.
    await until('the store to hold the cracked password', async () =>
      (await (await fetch(`${base}/api/sources/127.0.0.1`)).text()).includes('qwerty12'),
    );
    await page.goto(`${base}/sources/127.0.0.1`);
    await page.waitForSelector('h1');
    const text = await page.innerText('main');
    assert.match(text, /Cracked extensions/);
    assert.match(text, /100\s+qwerty12/);
    await page.screenshot({ path: join(SHOTS, 'source-story.png'), fullPage: true });
  });

  it('keeps attacker strings as text on every page, and loads nothing from outside', async () => {
    for (const path of [
      '/',
      '/sources',
      '/sources/127.0.0.1',
      '/calls',
      '/tools',
      '/credentials',
      '/live',
    ]) {
      await page.goto(base + path);
      await page.waitForLoadState('networkidle');
      // Browser-side expression (a string: this file has no DOM types).
      const state = await page.evaluate<{ xss: unknown; imgs: number; inlineScripts: number }>(
        `({ xss: window.__xss ?? null, imgs: document.querySelectorAll('img').length,
            inlineScripts: [...document.querySelectorAll('script')].filter((s) => !s.src).length })`,
      );
      assert.deepEqual(state, { xss: null, imgs: 0, inlineScripts: 0 }, path);
      const name = path === '/' ? 'index' : path.slice(1).replace(/\//g, '_');
      await page.screenshot({ path: join(SHOTS, `xss-${name}.png`), fullPage: true });
    }
    await page.goto(`${base}/tools`);
    await page.waitForSelector('table');
    assert.ok(
      (await page.innerText('main')).includes(XSS_UA),
      'the script-like User-Agent shows as text',
    );
    // Tooltips and graph labels: SVG <title> and text nodes hold it as text.
    const inSvg = await page.evaluate<boolean>(
      `[...document.querySelectorAll('svg title, svg text')].some((t) => t.textContent.includes(${JSON.stringify(XSS_UA)}))`,
    );
    assert.ok(inSvg, 'the User-Agent appears in a chart label or tooltip, as text');
    assert.deepEqual(outside, []);
  });
});
