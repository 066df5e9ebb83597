import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { messageLines } from '../nats/message.js';
import { pack } from './pack.js';
import { EventFileReader, type WalLine } from './reader.js';

const line = (n: number, pad = 0): string =>
  JSON.stringify({ event: 'sip.request', event_id: `id-${n}`, x: 'y'.repeat(pad) });

/** The lines of a file of `text`, as the shipper's reader gives them. */
async function read(text: string): Promise<WalLine[]> {
  const dir = mkdtempSync(join(tmpdir(), 'snare-pack-'));
  try {
    writeFileSync(join(dir, 'events-2026-12-06.jsonl'), text);
    return await new EventFileReader(dir, null).next();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const text = (p: Uint8Array): string => Buffer.from(p).toString('utf8');

describe('pack', () => {
  it('with one event per message: every line alone, its event id as the message id', async () => {
    const lines = await read([1, 2, 3].map((n) => line(n)).join('\n') + '\n');
    const msgs = pack(lines, 1, 512 * 1024);
    assert.deepEqual(
      msgs.map((m) => [text(m.payload), m.msgId, m.count, m.next]),
      lines.map((l) => [text(l.payload), l.eventId, 1, l.next]),
    );
  });

  it('packs up to N lines, newline-separated, id <first event_id>+<count>, position after the last', async () => {
    const all = [1, 2, 3, 4, 5, 6, 7].map((n) => line(n));
    const lines = await read(all.join('\n') + '\n');
    const msgs = pack(lines, 3, 512 * 1024);
    assert.deepEqual(
      msgs.map((m) => [m.msgId, m.count]),
      [
        ['id-1+3', 3],
        ['id-4+3', 3],
        ['id-7', 1],
      ],
    );
    assert.equal(text(msgs[0]!.payload), all.slice(0, 3).join('\n'));
    assert.equal(text(msgs[2]!.payload), all[6]);
    assert.deepEqual(
      msgs.map((m) => m.next),
      [lines[2]!.next, lines[5]!.next, lines[6]!.next],
    );
    // The collector reads the lines back, one event each.
    assert.deepEqual(messageLines(msgs[1]!.payload).map(text), all.slice(3, 6));
    // Packed again from the same lines: the same messages and ids (a replay is a duplicate).
    assert.deepEqual(
      pack(lines, 3, 512 * 1024).map((m) => [text(m.payload), m.msgId]),
      msgs.map((m) => [text(m.payload), m.msgId]),
    );
  });

  it('keeps every message under the byte bound; a longer line goes alone', async () => {
    const all = [line(1, 50), line(2, 50), line(3, 400), line(4, 50), line(5, 50), line(6, 50)];
    const lines = await read(all.join('\n') + '\n');
    const bound = 2 * Buffer.byteLength(all[0]!) + 1;
    const msgs = pack(lines, 100, bound);
    assert.deepEqual(
      msgs.map((m) => m.count),
      [2, 1, 2, 1],
    );
    for (const m of msgs)
      assert.ok(m.count === 1 || m.payload.length <= bound, `${m.payload.length} > ${bound}`);
    assert.equal(msgs.map((m) => text(m.payload)).join('\n'), all.join('\n'));
  });

  it('joins lines that are not next to each other (blank lines between) by one newline', async () => {
    const lines = await read(`${line(1)}\n\n${line(2)}\n${line(3)}\n`);
    const [m] = pack(lines, 10, 512 * 1024);
    assert.equal(text(m!.payload), [line(1), line(2), line(3)].join('\n'));
    assert.equal(m!.msgId, 'id-1+3');
  });

  it('sends without a message id when the first line has no event id', async () => {
    const lines = await read(`{"no":"id"}\n${line(2)}\n`);
    assert.deepEqual(
      pack(lines, 10, 512 * 1024).map((m) => [m.msgId, m.count]),
      [[null, 2]],
    );
  });
});
