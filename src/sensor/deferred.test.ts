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
});
