/**
 * @module
 * The fast legacy reader reads a file in parallel and takes each line's
 * number from its row's position: a file large enough for DuckDB to read
 * in several pieces must still give every line its own number (the event
 * id's tail), or a grown file would be re-imported under other ids.
 */
import assert from 'node:assert/strict';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scratch, type Scratch } from './ingest-helpers.js';

/** Lines written; about 100 MB, several of DuckDB's CSV read buffers. */
const LINES = 650_000;

describe('ingest: line numbers of a large legacy file read in parallel', () => {
  let s: Scratch;
  before(async () => {
    s = await scratch();
  });
  after(() => {
    s.done();
  });

  it('gives every line the number of its place in the file', async () => {
    const path = join(s.dir, 'big.log');
    const fd = openSync(path, 'w');
    const chunk: string[] = [];
    for (let i = 1; i <= LINES; i++) {
      const sec = String(i % 60).padStart(2, '0');
      const min = String(Math.floor(i / 60) % 60).padStart(2, '0');
      chunk.push(
        `2011-12-27 19:${min}:${sec} +0000: sip-honeyd.pl[4429]: IP: 198.51.100.${i % 250}, method: REGISTER, ` +
          `from: "${i}", to: "100", resp: 401, user-agent: "friendly-scanner padding padding padding"\n`,
      );
      if (chunk.length === 10_000) writeSync(fd, chunk.splice(0).join(''));
    }
    writeSync(fd, chunk.join(''));
    closeSync(fd);
    const r = await s.ingest([path]);
    assert.deepEqual([r.events, r.rejected], [LINES, 0]);
    // The line number is the event id's tail; each line carries its own number in `from`.
    const bad = await s.rows(
      `SELECT count(*)::INTEGER AS n FROM events
       WHERE sensor = 'big' AND split_part(event_id, '-', 2) <> from_user`,
    );
    assert.deepEqual(bad, [{ n: 0 }]);
  });
});
