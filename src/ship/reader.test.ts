import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EventFileReader, eventIdOf } from './reader.js';

const id = (line: string): string | null => {
  const buf = Buffer.from(`xx${line}\nyy"event_id":"later"`, 'latin1');
  return eventIdOf(buf, 2, 2 + Buffer.byteLength(line, 'latin1'));
};

describe('eventIdOf', () => {
  it('takes the event id from the bytes of a line', () => {
    assert.equal(
      id('{"event":"sip.request","event_id":"0190a000-0000-7000-8000-000000000001","ts":"x"}'),
      '0190a000-0000-7000-8000-000000000001',
    );
    assert.equal(id('{"event_id":"","x":1}'), '');
  });

  it('gives null for a line without one, or one escaped, unfinished or too long', () => {
    // The next line has one: it must not be taken for this line's.
    assert.equal(id('{"event":"sip.request"}'), null);
    assert.equal(id('{"event_id":"ab\\"cd"}'), null);
    assert.equal(id('{"event_id":"abc'), null);
    assert.equal(id(`{"event_id":"${'a'.repeat(200)}"}`), 'a'.repeat(200));
    assert.equal(id(`{"event_id":"${'a'.repeat(201)}"}`), null);
  });
});

describe('EventFileReader', () => {
  it('reads whole lines with their ids and positions, and waits for an unfinished one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snare-reader-'));
    try {
      const a = '{"event":"sip.request","event_id":"id-1"}';
      const b = '{"event":"sip.request","event_id":"id-é2"}';
      writeFileSync(join(dir, 'events-2026-12-06.jsonl'), `${a}\n\n${b}\n{"event_id":"id-3`);
      const reader = new EventFileReader(dir, null);
      const lines = await reader.next();
      assert.deepEqual(
        lines.map((l) => [Buffer.from(l.payload).toString('utf8'), l.eventId, l.next.offset]),
        [
          [a, 'id-1', Buffer.byteLength(a) + 1],
          // Ids are read as Latin-1 bytes, as the header carries them.
          [b, Buffer.from('id-é2', 'utf8').toString('latin1'), Buffer.byteLength(`${a}\n\n${b}\n`)],
        ],
      );
      assert.deepEqual(await reader.next(), []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
