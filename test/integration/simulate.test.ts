/**
 * @module
 * End-to-end checks of `sipsnare simulate`: the same seed gives the same
 * bytes, every line parses back (with a small parser written here, not the
 * importer), each sensor file is in time order, and truth.json agrees with
 * figures recomputed from the lines themselves. Legacy and JSON-lines runs
 * of one seed give the same truth.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { command } from '../../src/cli/commands/simulate.js';
import { validateEvent } from '../../src/events/catalog.js';

const LEGACY =
  /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) \+0000: sip-honeyd\.pl\[(\d+)\]: IP: ([0-9a-f.:]+), method: (REGISTER|INVITE|OPTIONS), from: "([^"]*)", to: "([^"]*)", resp: (\d{3}), user-agent: "([^"]*)"$/;

interface Line {
  t: number;
  date: string;
  ip: string;
  method: string;
  to: string;
  ua: string;
}

interface Truth {
  summary: Record<string, number>;
  user_agents: { label: string; count: number; share: number }[];
  source_countries: { cc: string; count: number }[];
  destination_countries: { cc: string; count: number }[];
  country_pairs: { count: number }[];
  top_sources: { ip: string; count: number }[];
  destinations: { number: string; count: number }[];
  number_types: { count: number }[];
  extra: { per_day: { date: string }[]; sources: { ip: string }[] };
  generator: Record<string, unknown>;
}

function io(): {
  stdout: Writable & { text: string };
  stderr: Writable & { text: string };
  stopSignal: AbortSignal;
} {
  const sink = (): Writable & { text: string } => {
    const w = new Writable({
      write(chunk: Buffer, _enc, cb) {
        w.text += chunk.toString();
        cb();
      },
    }) as Writable & { text: string };
    w.text = '';
    return w;
  };
  return { stdout: sink(), stderr: sink(), stopSignal: new AbortController().signal };
}

async function run(out: string, ...args: string[]): Promise<void> {
  const code = await command.run(
    ['--out', out, '--seed', 't1', '--days', '3', '--sensors', '3', '--scale', '0.2', ...args],
    io(),
  );
  assert.equal(code, 0);
}

function readLegacy(dir: string): Map<string, Line[]> {
  const files = new Map<string, Line[]>();
  for (const name of readdirSync(dir)
    .filter((f) => f.endsWith('.log'))
    .sort()) {
    const lines = readFileSync(join(dir, name), 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    files.set(
      name,
      lines.map((l) => {
        const m = LEGACY.exec(l);
        assert.ok(m, `unparsable line in ${name}: ${l}`);
        const [, date = '', clock = '', , ip = '', method = '', , to = '', , ua = ''] = m;
        return { t: Date.parse(`${date}T${clock}Z`) / 1000, date, ip, method, to, ua };
      }),
    );
  }
  return files;
}

const root = mkdtempSync(join(tmpdir(), 'sipsnare-sim-'));
const dirs = { a: join(root, 'a'), b: join(root, 'b'), c: join(root, 'c'), j: join(root, 'j') };

describe('sipsnare simulate', () => {
  before(async () => {
    await run(dirs.a);
    await run(dirs.b);
    await run(dirs.c, '--seed', 'other');
    await run(dirs.j, '--format', 'jsonl');
  });
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('writes the same bytes for the same seed and different ones for another seed', () => {
    for (const f of ['hp01.log', 'hp02.log', 'hp03.log', 'truth.json', 'number-labels.csv']) {
      assert.ok(readFileSync(join(dirs.a, f)).equals(readFileSync(join(dirs.b, f))), f);
    }
    assert.notEqual(
      readFileSync(join(dirs.a, 'hp01.log'), 'utf8'),
      readFileSync(join(dirs.c, 'hp01.log'), 'utf8'),
    );
  });

  it('writes legacy lines that parse, in time order within each sensor file', () => {
    const files = readLegacy(dirs.a);
    assert.equal(files.size, 3);
    for (const [name, lines] of files) {
      assert.ok(lines.length > 0, name);
      for (let i = 1; i < lines.length; i++)
        assert.ok((lines[i]?.t ?? 0) >= (lines[i - 1]?.t ?? 0), `${name} out of order at ${i}`);
    }
  });

  it('states message counts, sources and days that the lines confirm', () => {
    const truth = JSON.parse(readFileSync(join(dirs.a, 'truth.json'), 'utf8')) as Truth;
    const all = [...readLegacy(dirs.a).values()].flat();
    const s = truth.summary;
    assert.equal(s['register_messages'], all.filter((l) => l.method === 'REGISTER').length);
    assert.equal(s['invite_messages'], all.filter((l) => l.method === 'INVITE').length);
    assert.equal(s['unique_ips'], new Set(all.map((l) => l.ip)).size);
    assert.equal(s['days'], new Set(all.map((l) => l.date)).size);
    assert.deepEqual(new Set(truth.extra.sources.map((x) => x.ip)), new Set(all.map((l) => l.ip)));
  });

  it('counts unified INVITEs like an independent pass over the lines (true number = longest known tail, or the bare national number)', () => {
    const truth = JSON.parse(readFileSync(join(dirs.a, 'truth.json'), 'utf8')) as Truth;
    const tails = truth.destinations
      .map((d) => d.number.slice(1))
      .sort((x, y) => y.length - x.length);
    const national = new Map(
      truth.destinations.map((d) => [
        parsePhoneNumberFromString(d.number)?.nationalNumber ?? d.number,
        d.number.slice(1),
      ]),
    );
    const invites = [...readLegacy(dirs.a).values()].flat().filter((l) => l.method === 'INVITE');
    invites.sort((x, y) => x.t - y.t);
    const last = new Map<string, number>();
    const labels = new Map<string, number>();
    let unified = 0;
    for (const l of invites) {
      const number = national.get(l.to) ?? tails.find((d) => l.to.endsWith(d));
      if (number === undefined) {
        assert.ok(l.to.length <= 4, `unknown external number ${l.to}`);
        continue;
      }
      const key = `${l.ip}|${number}`;
      const prev = last.get(key);
      last.set(key, l.t);
      if (prev !== undefined && l.t - prev <= 3600) continue;
      unified++;
      const label = l.ua === '' ? 'undefined' : /^[A-Za-z0-9]{20}$/.test(l.ua) ? 'random' : l.ua;
      labels.set(label, (labels.get(label) ?? 0) + 1);
    }
    assert.ok(unified > 50, `too few calls to be a test: ${unified}`);
    assert.equal(truth.summary['unified_invites'], unified);
    assert.deepEqual(
      Object.fromEntries(truth.user_agents.map((u) => [u.label, u.count])),
      Object.fromEntries(labels),
    );
  });

  it('keeps truth internally consistent: every breakdown sums to the unified INVITEs', () => {
    const truth = JSON.parse(readFileSync(join(dirs.a, 'truth.json'), 'utf8')) as Truth;
    const u = truth.summary['unified_invites'] ?? -1;
    const sum = (xs: { count: number }[]): number => xs.reduce((a, x) => a + x.count, 0);
    for (const list of [
      truth.user_agents,
      truth.source_countries,
      truth.destination_countries,
      truth.country_pairs,
      truth.top_sources,
      truth.destinations,
      truth.number_types,
    ]) {
      assert.equal(sum(list), u);
    }
    const shares = truth.user_agents.reduce((a, x) => a + x.share, 0);
    assert.ok(Math.abs(shares - 1) < 1e-4, `shares sum to ${shares}`);
    assert.equal(truth.extra.per_day.length, truth.summary['days']);
  });

  it('writes JSON lines valid under the event catalog, with unique event ids, and the same truth as legacy', () => {
    const ids = new Set<string>();
    let n = 0;
    for (const name of readdirSync(dirs.j).filter((f) => f.endsWith('.jsonl'))) {
      for (const line of readFileSync(join(dirs.j, name), 'utf8').split('\n')) {
        if (line === '') continue;
        const res = validateEvent(JSON.parse(line));
        assert.ok(res.ok, res.ok ? '' : res.error);
        assert.equal(res.event.sensor, name.replace('.jsonl', ''));
        ids.add(res.event.event_id);
        n++;
      }
    }
    assert.equal(ids.size, n);
    const strip = (dir: string): unknown => {
      const t = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as Truth;
      return { ...t, generator: { ...t.generator, format: null } };
    };
    assert.deepEqual(strip(dirs.j), strip(dirs.a));
  });

  it('stops on the stop signal, exits 130 and writes truth for the lines written', async () => {
    const dir = join(root, 'stopped');
    const controller = new AbortController();
    controller.abort();
    const code = await command.run(['--out', dir, '--days', '1'], {
      ...io(),
      stopSignal: controller.signal,
    });
    assert.equal(code, 130);
    const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as Truth;
    assert.equal(truth.generator['interrupted'], true);
    assert.equal(truth.summary['register_messages'], 0);
    assert.equal(readFileSync(join(dir, 'hp01.log'), 'utf8'), '');
  });

  it('runs at small scales, with the countries of its named sources among the sources', async () => {
    for (const scale of ['0.01', '0.2']) {
      const dir = join(root, `small-${scale}`);
      const code = await command.run(['--out', dir, '--days', '1', '--scale', scale], io());
      assert.equal(code, 0, `scale ${scale}`);
      const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as Truth;
      const ccs = new Set(truth.source_countries.map((c) => c.cc));
      // Table 3's top sources and Table 4's pairs come from these.
      for (const cc of ['US', 'CN', 'NL', 'TH', 'FR', 'CA', 'MD', 'ID', 'PS', 'EG', 'DE'])
        assert.ok(ccs.has(cc), `scale ${scale}: no source in ${cc}`);
    }
  });

  it('refuses a command line without --out', async () => {
    await assert.rejects(command.run(['--days', '1'], io()), /--out/);
  });

  it('refuses a start date that is not on the calendar', async () => {
    const out = join(root, 'bad-start');
    await assert.rejects(command.run(['--out', out, '--start', '2011-02-30'], io()), /--start/);
  });

  it('refuses an --out that is a file, or a directory holding an earlier run unless --force', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    await assert.rejects(
      command.run(['--out', file, '--days', '1'], io()),
      (err: Error) => err.name === 'UsageError' && /not a directory/.test(err.message),
    );
    const dir = join(root, 'rerun');
    const args = ['--out', dir, '--days', '1', '--scale', '0.01', '--sensors', '2'];
    assert.equal(await command.run(args, io()), 0);
    writeFileSync(join(dir, 'hp09.log'), 'stale sensor file of another run\n');
    await assert.rejects(
      command.run(args, io()),
      (err: Error) => err.name === 'UsageError' && /not empty.*--force/.test(err.message),
    );
    assert.equal(await command.run([...args, '--sensors', '1', '--force'], io()), 0);
    assert.deepEqual(readdirSync(dir).sort(), ['hp01.log', 'number-labels.csv', 'truth.json']);
  });

  it('leaves no stale progress count beside the final figure', async () => {
    const args = ['--days', '1', '--scale', '0.01', '--json'];
    const plain = io();
    assert.equal(await command.run(['--out', join(root, 'progress-plain'), ...args], plain), 0);
    const lines = (JSON.parse(plain.stdout.text) as { lines: number }).lines;
    const last = plain.stderr.text.trimEnd().split('\n').at(-1) ?? '';
    assert.match(last, new RegExp(`^simulate: ${lines.toLocaleString('en-US')} lines, day 1/1`));
    const tty = io();
    Object.assign(tty.stderr, { isTTY: true });
    assert.equal(await command.run(['--out', join(root, 'progress-tty'), ...args], tty), 0);
    assert.ok(tty.stderr.text.startsWith('\rsimulate: '), tty.stderr.text);
    assert.ok(tty.stderr.text.endsWith('\r\x1b[K'), 'the progress line is erased at the end');
    assert.ok(!tty.stderr.text.includes('\n'));
  });
});
