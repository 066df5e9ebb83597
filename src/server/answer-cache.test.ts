import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AnswerCache, answerKey } from './answer-cache.js';

/** A cache over a generation and a clock the test moves, and a computation that counts. */
function setup(maxEntries = 8) {
  const state = { gen: 1, now: 0, calls: 0, fail: false };
  const cache = new AnswerCache({
    generation: () => state.gen,
    now: () => state.now,
    maxEntries,
    maxStaleMs: 1000,
  });
  const compute = (): Promise<unknown> => {
    state.calls++;
    const n = state.calls;
    return state.fail ? Promise.reject(new Error('boom')) : Promise.resolve({ n, gen: state.gen });
  };
  return { state, cache, compute };
}

describe('AnswerCache', () => {
  it('computes once per generation, and shares a computation between requests that arrive together', async () => {
    const { state, cache, compute } = setup();
    const [a, b] = await Promise.all([cache.get('k', compute), cache.get('k', compute)]);
    assert.deepEqual(a, { n: 1, gen: 1 });
    assert.equal(b, a);
    assert.deepEqual(await cache.get('k', compute), { n: 1, gen: 1 });
    assert.equal(state.calls, 1);
    assert.deepEqual(await cache.get('other', compute), { n: 2, gen: 1 });
  });

  it('answers the last answer while a fresh one is computed, and the fresh one next', async () => {
    const { state, cache, compute } = setup();
    await cache.get('k', compute);
    state.gen = 2;
    state.now = 500;
    assert.deepEqual(await cache.get('k', compute), { n: 1, gen: 1 });
    assert.equal(state.calls, 2);
    assert.deepEqual(await cache.get('k', compute), { n: 2, gen: 2 });
    assert.equal(state.calls, 2);
  });

  it('waits for the fresh answer when the last one is older than maxStaleMs', async () => {
    const { state, cache, compute } = setup();
    await cache.get('k', compute);
    state.gen = 2;
    state.now = 5000;
    assert.deepEqual(await cache.get('k', compute), { n: 2, gen: 2 });
  });

  it('keeps no failed first answer, and keeps the old answer when a refresh fails', async () => {
    const { state, cache, compute } = setup();
    state.fail = true;
    await assert.rejects(cache.get('k', compute), /boom/);
    state.fail = false;
    assert.deepEqual(await cache.get('k', compute), { n: 2, gen: 1 });
    state.gen = 2;
    state.fail = true;
    assert.deepEqual(await cache.get('k', compute), { n: 2, gen: 1 });
    await new Promise((r) => setImmediate(r));
    state.fail = false;
    state.gen = 3;
    assert.deepEqual(await cache.get('k', compute), { n: 2, gen: 1 });
    assert.deepEqual(await cache.get('k', compute), { n: 4, gen: 3 });
  });

  it('holds at most maxEntries answers, dropping the one asked longest ago', async () => {
    const { state, cache, compute } = setup(2);
    await cache.get('a', compute);
    await cache.get('b', compute);
    await cache.get('a', compute);
    await cache.get('c', compute);
    assert.equal(state.calls, 3);
    await cache.get('a', compute);
    assert.equal(state.calls, 3, 'a was asked recently: kept');
    await cache.get('b', compute);
    assert.equal(state.calls, 4, 'b was dropped');
  });

  it('keys requests by path and query, whatever the order of the query keys', () => {
    assert.equal(answerKey('/x', { a: 1, b: 'y' }), answerKey('/x', { b: 'y', a: 1 }));
    assert.notEqual(answerKey('/x', { a: 1 }), answerKey('/x', { a: 2 }));
  });
});
