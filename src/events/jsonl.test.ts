import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { emptyEvent, validateEvent, type SnareEvent } from './catalog.js';
import { eventLine, JsonlSink } from './jsonl.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'snare-jsonl-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function ev(i: number, ts = '2026-03-01T10:00:00.000Z'): SnareEvent {
  return {
    ...emptyEvent(),
    event: 'sip.request',
    event_id: `id-${i}`,
    ts,
    sensor: 's',
    transport: 'udp',
    src_ip: '192.0.2.1',
    method: 'OPTIONS',
    user_agent: `ua "${i}"\n`,
  };
}
function readAll(): { files: string[]; lines: string[] } {
  const files = readdirSync(dir).sort();
  const lines = files.flatMap((f) =>
    readFileSync(join(dir, f), 'utf8')
      .split('\n')
      .filter((l) => l !== ''),
  );
  return { files, lines };
}

describe('JsonlSink', () => {
  it('writes one valid JSON object per line, in order, once flushed', async () => {
    const sink = new JsonlSink({ dir, rotateBytes: 1 << 20 });
    for (let i = 0; i < 100; i++) sink.write(ev(i));
    await sink.flush();
    const { files, lines } = readAll();
    assert.deepEqual(files, ['events-2026-03-01.jsonl']);
    assert.equal(lines.length, 100);
    lines.forEach((l, i) => {
      const v = validateEvent(JSON.parse(l));
      assert.ok(v.ok);
      assert.equal(v.event.event_id, `id-${i}`);
      assert.equal(v.event.user_agent, `ua "${i}"\n`);
    });
    await sink.close();
  });

  it('appends within the flush interval without an explicit flush', async () => {
    const sink = new JsonlSink({ dir, rotateBytes: 1 << 20, flushIntervalMs: 20 });
    sink.write(ev(1));
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(readAll().lines.length, 1);
    await sink.close();
  });

  it('starts one file per UTC day', async () => {
    const sink = new JsonlSink({ dir, rotateBytes: 1 << 20 });
    sink.write(ev(1, '2026-03-01T23:59:59.999Z'));
    sink.write(ev(2, '2026-03-02T00:00:00.000Z'));
    await sink.close();
    assert.deepEqual(readAll().files, ['events-2026-03-01.jsonl', 'events-2026-03-02.jsonl']);
  });

  it('rotates by size without splitting or losing a line', async () => {
    const lineBytes = Buffer.byteLength(eventLine(ev(10)));
    const sink = new JsonlSink({ dir, rotateBytes: lineBytes * 3 + 5, flushIntervalMs: 5 });
    for (let i = 10; i < 40; i++) {
      sink.write(ev(i));
      if (i % 7 === 0) await sink.flush();
    }
    await sink.close();
    const { files, lines } = readAll();
    assert.equal(lines.length, 30);
    assert.ok(files.length >= 10, files.join());
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      assert.ok(text.endsWith('\n'));
      assert.ok(Buffer.byteLength(text) <= lineBytes * 3 + 5, f);
    }
    const ids = lines.map((l) => (JSON.parse(l) as SnareEvent).event_id).sort();
    assert.deepEqual(ids, Array.from({ length: 30 }, (_, i) => `id-${i + 10}`).sort());
  });

  it('continues the newest existing file of the day after a restart', async () => {
    writeFileSync(join(dir, 'events-2026-03-01.jsonl'), eventLine(ev(0)));
    writeFileSync(join(dir, 'events-2026-03-01.2.jsonl'), eventLine(ev(1)));
    const sink = new JsonlSink({ dir, rotateBytes: 1 << 20 });
    sink.write(ev(2));
    await sink.close();
    assert.equal(
      readFileSync(join(dir, 'events-2026-03-01.2.jsonl'), 'utf8').split('\n').length,
      3,
    );
  });

  it('ends a torn last line before appending after it, and counts it', async () => {
    // What a stop on a full disk leaves: a line cut short, no newline.
    const path = join(dir, 'events-2026-03-01.jsonl');
    const torn = eventLine(ev(0)).slice(0, 40);
    writeFileSync(path, eventLine(ev(9)) + torn);
    const sink = new JsonlSink({ dir, rotateBytes: 1 << 20 });
    sink.write(ev(1));
    sink.write(ev(2));
    await sink.close();
    const lines = readFileSync(path, 'utf8').split('\n');
    assert.deepEqual(lines, [
      eventLine(ev(9)).trimEnd(),
      torn,
      ...[1, 2].map((i) => eventLine(ev(i)).trimEnd()),
      '',
    ]);
    assert.equal(sink.tornLines, 1);
    // A file that ends whole is left as it is.
    const again = new JsonlSink({ dir, rotateBytes: 1 << 20 });
    again.write(ev(3));
    await again.close();
    assert.equal(again.tornLines, 0);
    assert.equal(readFileSync(path, 'utf8').split('\n').length, 6);
  });
});
