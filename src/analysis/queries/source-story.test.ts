/**
 * A source's story over more rows than its lists show: each list stops at
 * 100 rows, `totals` keeps the whole count, and the report's "and N more"
 * counts from it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createFixtureDb,
  type EventRow,
  type FixtureDb,
} from '../../../test/fixtures/analysis/fixture-db.js';
import { storyTable } from '../../report/story-tables.js';
import { querySourceStory } from './source-story.js';

describe('querySourceStory: capped lists and their totals', () => {
  let fx: FixtureDb;
  before(async () => {
    fx = await createFixtureDb();
    const rows: EventRow[] = [];
    // 150 extensions, each REGISTERed twice, with a distinct password guess each time.
    for (let u = 0; u < 150; u++) {
      for (let k = 0; k < 2; k++) {
        rows.push({
          src_ip: '203.0.113.9',
          ts: `2012-01-01 10:${String(Math.floor(u / 60)).padStart(2, '0')}:${String(u % 60).padStart(2, '0')}`,
          method: 'REGISTER',
          to_user: String(1000 + u),
          from_user: String(1000 + u),
          auth_user: String(1000 + u),
          password_guess: `pw${u}-${k}`,
        });
      }
    }
    await fx.insertEvents(rows);
  });
  after(() => {
    fx.close();
  });

  it('shows 100 rows of a longer list and says how many there are in all', async () => {
    const s = await querySourceStory(fx.db, {}, '203.0.113.9');
    assert.ok(s);
    assert.equal(s.messages, 300);
    assert.equal(s.extensions_tried.length, 100);
    assert.equal(s.totals.extensions_tried, 150);
    assert.equal(s.credentials.length, 100);
    assert.equal(s.totals.credentials, 300);
    assert.equal(s.totals.methods, 1);
    assert.equal(s.totals.sensors, s.sensors.length);
    assert.equal(s.totals.cracked, 0);
  });

  it('counts the report\'s "and N more" from the totals, not from the 100 rows shown', async () => {
    const s = await querySourceStory(fx.db, {}, '203.0.113.9');
    assert.ok(s);
    const rows = storyTable([s]).rows.map((r) => r.map(String));
    const ext = rows.find((r) => r[1] === 'extensions tried');
    assert.ok(ext?.[2]?.endsWith('and 138 more'), ext?.[2]);
    const creds = rows.find((r) => r[1] === 'credentials tried');
    assert.ok(creds?.[2]?.endsWith('and 288 more'), creds?.[2]);
  });
});
