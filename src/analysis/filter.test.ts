import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { callsWhere, eventsWhere, isIsoDate, nextDay, SqlParams } from './filter.js';

describe('report filter', () => {
  it('accepts only real calendar dates', () => {
    assert.equal(isIsoDate('2012-02-29'), true);
    assert.equal(isIsoDate('2011-02-29'), false);
    assert.equal(isIsoDate('2012-1-01'), false);
    assert.equal(isIsoDate("2012-01-01' OR 1=1"), false);
  });
  it('the `to` date is inclusive: the bound is the next day, across month ends', () => {
    assert.equal(nextDay('2012-02-29'), '2012-03-01');
    assert.equal(nextDay('2012-12-31'), '2013-01-01');
  });
  it('values go to parameters, never into the SQL text', () => {
    const p = new SqlParams();
    const sensor = "hp'); DROP TABLE events; --";
    const sql =
      eventsWhere({ from: '2012-01-01', to: '2012-01-31', sensor }, p) + callsWhere({ sensor }, p);
    assert.ok(!sql.includes('DROP'));
    assert.deepEqual(p.values, ['2012-01-01', '2012-02-01', sensor, sensor]);
  });
  it('an empty filter matches everything', () => {
    assert.equal(eventsWhere({}, new SqlParams()), 'TRUE');
  });
});
