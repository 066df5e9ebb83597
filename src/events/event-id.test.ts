import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventIdGenerator, uuidv7Time } from './event-id.js';

const UUID7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('EventIdGenerator', () => {
  it('makes UUIDv7 strings that carry the given time', () => {
    const g = new EventIdGenerator();
    const id = g.next(1735689600123);
    assert.match(id, UUID7);
    assert.equal(uuidv7Time(id), 1735689600123);
  });

  it('keeps ids strictly increasing within one millisecond and across a clock step back', () => {
    const g = new EventIdGenerator();
    const ids: string[] = [];
    for (let i = 0; i < 10000; i++) ids.push(g.next(1000 + (i < 9000 ? 0 : -5)));
    for (let i = 1; i < ids.length; i++)
      assert.ok(ids[i - 1]! < ids[i]!, `${ids[i - 1]} < ${ids[i]}`);
    assert.equal(new Set(ids).size, ids.length);
    for (const id of ids) assert.match(id, UUID7);
  });
});
