import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AckWindow, inFlight, settle, settled } from './window.js';

const at = (offset: number) => ({ file: 'events-2026-12-06.jsonl', offset });

describe('AckWindow', () => {
  it('moves the position only over acknowledged messages, in order, and counts their lines', () => {
    const w = new AckWindow();
    const a = inFlight(at(100), 3);
    const b = inFlight(at(250), 5);
    const c = inFlight(at(300), 1);
    for (const f of [a, b, c]) w.push(f);
    assert.equal(w.events, 9);
    // The second acknowledged before the first: nothing moves yet.
    settle(b);
    assert.deepEqual(w.advance(), { next: null, shipped: 0, failed: null });
    settle(a);
    assert.deepEqual(w.advance(), { next: at(250), shipped: 8, failed: null });
    assert.equal(w.events, 1);
    assert.equal(w.size, 1);
  });

  it('stops at a failed message and empties the window: nothing after it moves the position', () => {
    const w = new AckWindow();
    const a = inFlight(at(100), 2);
    const b = inFlight(at(200), 2);
    const c = inFlight(at(300), 2);
    for (const f of [a, b, c]) w.push(f);
    settle(a);
    settle(c);
    const err = new Error('no ack');
    settle(b, err);
    assert.deepEqual(w.advance(), { next: at(100), shipped: 2, failed: err });
    assert.equal(w.size, 0);
    assert.equal(w.events, 0);
  });

  it('wakes whoever waits for a message when it settles', async () => {
    const f = inFlight(at(1), 1);
    let woke = false;
    const p = settled(f).then(() => (woke = true));
    await Promise.resolve();
    assert.equal(woke, false);
    settle(f);
    await p;
    assert.equal(woke, true);
  });
});
