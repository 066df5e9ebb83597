/**
 * What `ingest` does with files it cannot read as a log: a file the user
 * named is an error (exit 1, after the other files are imported); a file
 * found by walking a directory is skipped with a note, and the simulator's
 * truth.json and number-labels.csv pass without a word. A first line over
 * 64 KiB does not hide a file's format. JSON lines are summarised under the
 * sensor ids they carry.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { command } from '../../src/cli/commands/ingest.js';
import { emptyEvent } from '../../src/events/catalog.js';
import { scratch, type Scratch } from './ingest-helpers.js';

function jsonLine(
  sensor: string,
  n: number,
  ua = 'friendly-scanner',
  display: string | null = null,
): string {
  return JSON.stringify({
    ...emptyEvent(),
    event: 'sip.request',
    event_id: `${sensor}-${n}`,
    ts: '2026-03-01T10:00:00.000Z',
    sensor,
    transport: 'udp',
    src_ip: '8.8.8.8',
    method: 'OPTIONS',
    user_agent: ua,
    from_display: display,
  });
}

async function runIngest(args: string[]): Promise<{ code: number; stdout: string }> {
  let stdout = '';
  const sink = (keep: boolean): Writable =>
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        if (keep) stdout += chunk.toString();
        cb();
      },
    });
  const code = await command.run(args, {
    stdout: sink(true),
    stderr: sink(false),
    stopSignal: new AbortController().signal,
  });
  return { code, stdout };
}

describe('ingest of named, walked and unknown files', () => {
  let s: Scratch;
  let good: string;
  let junk: string;
  before(async () => {
    s = await scratch();
    s.store.close();
    good = join(s.dir, 'mixed.jsonl');
    writeFileSync(
      good,
      [jsonLine('hp07', 1), jsonLine('hp03', 2), jsonLine('hp07', 3)].join('\n') + '\n',
    );
    junk = join(s.dir, 'notes.txt');
    writeFileSync(junk, 'just some notes\nnothing sipsnare reads\n');
  });
  after(() => {
    s.done();
  });

  it('a named file of unknown format is an error, exit 1, after the others are imported', async () => {
    const db = join(s.dir, 'a.duckdb');
    const r = await runIngest(['--db', db, '--json', junk, good]);
    assert.equal(r.code, 1);
    const report = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as {
      events: number;
      files: { path: string; status: string; sensor: string; error?: string }[];
    };
    assert.equal(report.events, 3, 'the readable file was imported');
    const bad = report.files.find((f) => f.path === junk);
    assert.equal(bad?.status, 'error');
    assert.match(bad.error ?? '', /unknown format/);
    // JSON lines are summarised under their own sensor ids, not the file name.
    assert.equal(report.files.find((f) => f.path === good)?.sensor, 'hp03, hp07');
  });

  it('a walked directory: unknown files skipped with a note, the simulator files in silence', async () => {
    const dir = join(s.dir, 'run');
    mkdirSync(dir);
    writeFileSync(join(dir, 'hp01.jsonl'), jsonLine('hp01', 1) + '\n');
    writeFileSync(join(dir, 'truth.json'), '{\n  "summary": {}\n}\n');
    writeFileSync(join(dir, 'number-labels.csv'), 'number,label\n+15551234,x\n');
    writeFileSync(join(dir, 'readme.txt'), 'hello\n');
    const r = await runIngest(['--db', join(s.dir, 'b.duckdb'), '--json', dir]);
    assert.equal(r.code, 0);
    const report = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as {
      files: { path: string; status: string; error?: string }[];
    };
    assert.deepEqual(
      report.files.map((f) => [f.path.slice(dir.length + 1), f.status]),
      [
        ['hp01.jsonl', 'imported'],
        ['readme.txt', 'skipped'],
      ],
    );
    assert.match(report.files[1]?.error ?? '', /found in a directory/);
  });

  it('a first line over 64 KiB does not make the file unknown', async () => {
    const big = join(s.dir, 'big.jsonl');
    writeFileSync(
      big,
      [jsonLine('hp09', 1, 'x'.repeat(50_000), 'y'.repeat(30_000)), jsonLine('hp09', 2)].join(
        '\n',
      ) + '\n',
    );
    const r = await runIngest(['--db', join(s.dir, 'c.duckdb'), '--json', big]);
    assert.equal(r.code, 0, r.stdout);
    const report = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as {
      events: number;
      files: { format: string | null }[];
    };
    assert.equal(report.files[0]?.format, 'jsonl');
    assert.equal(report.events, 2);
  });
});
