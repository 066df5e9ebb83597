import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { UsageError } from '../../errors.js';
import { command } from './number.js';

async function run(argv: string[]): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const code = await command.run(argv, {
    stdout,
    stderr,
    stopSignal: new AbortController().signal,
  });
  stdout.end();
  stderr.end();
  return { code, out: Buffer.concat(chunks).toString('utf8') };
}

describe('sipsnare number', () => {
  it('explains each reading tried and the choice for a string alone', async () => {
    const { code, out } = await run(['0014972523456586']);
    assert.equal(code, 0);
    assert.match(
      out,
      /strip "0014" \(00 \+ Brazilian carrier code\) -> 972523456586: \+972523456586 {2}IL {2}MOBILE/,
    );
    assert.match(
      out,
      /strip "00" \(international prefix 00\) -> 14972523456586: not a valid number/,
    );
    assert.match(out, /alone: \+972523456586 {2}IL {2}MOBILE/);
  });

  it('shows the burst resolution and marks strings the burst changed', async () => {
    const { out } = await run(['912684641234', '01112684641234', '0012684641234']);
    assert.match(out, /as one burst \(3 strings/);
    assert.match(out, /"912684641234" -> \+12684641234 {2}AG .*changed by the burst/);
    assert.match(out, /distinct numbers: 1/);
  });

  it('prints JSON with alone, burst and every reading', async () => {
    const { out } = await run(['--json', '0972598285108', '100']);
    const parsed = JSON.parse(out) as {
      strings: {
        dialed: string;
        alone: { kind: string; e164: string | null };
        tried: { valid: boolean }[];
      }[];
    };
    assert.equal(parsed.strings.length, 2);
    const [il, ext] = parsed.strings;
    assert.ok(il && ext);
    assert.equal(il.alone.e164, '+972598285108');
    assert.ok(il.tried.some((t) => t.valid));
    assert.equal(ext.alone.kind, 'extension');
  });

  it('reads national numbers with --region', async () => {
    const { out } = await run(['--json', '--region', 'br', '02121987654321']);
    assert.match(out, /"e164": "\+5521987654321"/);
  });

  it('rejects a missing string and a bad region as usage errors', async () => {
    await assert.rejects(run([]), UsageError);
    await assert.rejects(run(['--region', 'Brazil', '123']), UsageError);
    await assert.rejects(run(['--bogus', '123']), UsageError);
  });
});
