import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeferredTasks } from './deferred.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('DeferredTasks', () => {
  it('runs tasks after their delay, gives up the oldest beyond the bound, and survives a throwing task', async () => {
    const t = new DeferredTasks(2);
    const ran: string[] = [];
    t.add(20, () => ran.push('a'));
    t.add(20, () => {
      throw new Error('task bug');
    });
    t.add(30, () => ran.push('c'));
    assert.equal(t.size, 2);
    await sleep(80);
    assert.deepEqual(ran, ['c']);
    assert.equal(t.size, 0);
  });

  it('runs nothing after close', async () => {
    const t = new DeferredTasks(10);
    let ran = false;
    t.add(10, () => (ran = true));
    t.close();
    await sleep(40);
    assert.equal(ran, false);
  });

  it('gives up the oldest beyond its byte bound (an attacker sizes the answers)', async () => {
    const t = new DeferredTasks(100, 10_000);
    const ran: number[] = [];
    for (let i = 0; i < 10; i++) t.add(20, () => ran.push(i), 3000);
    assert.equal(t.size, 3);
    assert.equal(t.bytes, 9000);
    t.add(20, () => ran.push(99), 10_001);
    assert.equal(t.size, 3, 'a task larger than the bound is not kept');
    await sleep(60);
    assert.deepEqual(ran, [7, 8, 9]);
    assert.equal(t.bytes, 0);
  });
});
