/**
 * Three sensors with distinct ids ship through a JetStream server (Debian's
 * nats-server, started here on loopback with a temporary store) to one
 * collector; SIPVicious (svmap, svwar, svcrack) and INVITE bursts hit each
 * sensor. The central store must hold exactly what the sensors recorded:
 * its report equals the sum of each sensor's own (one `ingest` of its JSON
 * lines), its unified INVITEs equal one `ingest` of all the JSON lines, and
 * `report --url` (the live collector) equals `report --db` once it stopped.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, testdata } from '../helpers/shared.js';
import { natsMissing } from './nats-server.js';
import {
  sendInvites,
  startShippingNetwork,
  waitFor,
  type CollectorProcess,
  type ShippingNetwork,
} from './network-helpers.js';
import { freePort, runTool, type SensorProcess } from './sensor-process.js';

const BIN = join(REPO_ROOT, 'bin', 'sipsnare');
const svMissing =
  spawnSync('svmap', ['--version'], { encoding: 'utf8' }).error !== undefined
    ? 'sipvicious (svmap) is not installed'
    : null;
const skip = natsMissing() ?? svMissing ?? false;

function cli(...args: string[]): string {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 120000 });
  assert.equal(r.status, 0, `sipsnare ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

interface Summary {
  register_messages: number;
  invite_messages: number;
  options_messages: number;
  requests: number;
  malformed: number;
  unified_invites: number;
  unique_ips: number;
}
interface Rep {
  summary: Summary;
  network: {
    sensors: { sensor: string; events: number }[];
    sweeps: { ip: string; sensors: number }[];
    calls: { number: string; sensors: number }[];
  };
}
const reportOf = (text: string): Rep => JSON.parse(text) as Rep;

describe('a network of three sensors and one collector', { skip }, () => {
  let dir = '';
  let net: ShippingNetwork | null = null;
  let sensors: readonly SensorProcess[] = [];
  let collector: CollectorProcess;
  const db = (): string => join(dir, 'central.duckdb');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'snare-net-'));
    net = await startShippingNetwork({
      dir,
      db: db(),
      sensorIds: ['hp01', 'hp02', 'hp03'],
      sensor: { extensions: [{ number: '100', password: '100' }] },
    });
    ({ sensors, collector } = net);
  });
  after(async () => {
    await net?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores every event once, and the reports add up', { timeout: 300000 }, async () => {
    const wordlist = testdata('asterisk-reference', 'alwaysauthreject_no', 'svcrack_wordlist.txt');
    for (const [i, s] of sensors.entries()) {
      const p = String(s.port);
      runTool('svmap', ['-p', p, '-P', String(await freePort()), '127.0.0.1'], 30000);
      runTool('svwar', ['-e100-110', '-p', p, '-P', String(await freePort()), '127.0.0.1'], 60000);
      runTool(
        'svcrack',
        ['-u', '100', '-d', wordlist, '-p', p, '-P', String(await freePort()), '127.0.0.1'],
        60000,
      );
      // One number dialled with several prefixes (one call), and one number per sensor.
      await sendInvites(
        s.port,
        ['00972599123456', '011972599123456', '9011972599123456', `0044207946000${i}`],
        `t${i}`,
      );
    }
    // Stopping a sensor flushes its lines and gives the shipper a moment; `ship --once` ships any rest.
    for (const s of sensors) {
      assert.equal(await s.stop(), 0);
      cli(
        'ship',
        '--events',
        join(s.dir, 'events'),
        '--config',
        join(s.dir, 'sensor.yaml'),
        '--once',
      );
    }
    const lines = sensors.map((s) => s.events().length);
    const total = lines.reduce((a, b) => a + b, 0);
    assert.ok(
      lines.every((n) => n > 20),
      `every sensor recorded traffic: ${lines.join(', ')}`,
    );
    await waitFor(async () => (await collector.status()).stored === total, 60000, `${total} rows`);

    const live = reportOf(cli('report', '--url', collector.url, '--format', 'json'));
    // Each sensor's own view, from its own JSON lines.
    const own: Summary[] = sensors.map((s, i) => {
      const store = join(dir, `own-${i}.duckdb`);
      cli('ingest', '--db', store, join(s.dir, 'events'));
      return reportOf(cli('report', '--db', store, '--format', 'json')).summary;
    });
    for (const k of [
      'register_messages',
      'invite_messages',
      'options_messages',
      'requests',
      'malformed',
    ] as const)
      assert.equal(
        live.summary[k],
        own.reduce((a, r) => a + r[k], 0),
        k,
      );
    // Unified INVITEs: one import of every sensor's lines.
    const all = join(dir, 'all.duckdb');
    cli('ingest', '--db', all, ...sensors.map((s) => join(s.dir, 'events')));
    const joined = reportOf(cli('report', '--db', all, '--format', 'json')).summary;
    assert.equal(live.summary.unified_invites, joined.unified_invites);
    assert.ok(
      live.summary.unified_invites >= 4,
      `unified INVITEs: ${live.summary.unified_invites}`,
    );

    // The network view: each sensor's events; the scanner swept all three; one call reached all three.
    assert.deepEqual(
      live.network.sensors.map((x) => [x.sensor, x.events]).sort(),
      sensors.map((_s, i) => [`hp0${i + 1}`, lines[i]]).sort(),
    );
    assert.deepEqual(
      live.network.sweeps.map((x) => [x.ip, x.sensors]),
      [['127.0.0.1', 3]],
    );
    assert.ok(
      live.network.calls.some((c) => c.number === '+972599123456' && c.sensors === 3),
      JSON.stringify(live.network.calls),
    );
    // The live answer is the stored one.
    const liveText = cli('report', '--url', collector.url);
    assert.equal(await collector.stop(), 0);
    const dbText = cli('report', '--db', db());
    const strip = (t: string): string => t.replace(/^generated .*$/m, '');
    assert.equal(strip(liveText), strip(dbText));
    // The archive answers the same.
    cli('export', 'parquet', '--db', db(), '--out', join(dir, 'archive'));
    assert.equal(strip(cli('report', '--db', join(dir, 'archive'))), strip(dbText));
  });
});
