import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReplyGate } from './reply-gate.js';

describe('ReplyGate', () => {
  it('holds replies until their lines are written, then sends them in order', async () => {
    let write: () => void = () => undefined;
    const sent: number[] = [];
    const gate = new ReplyGate<number>(
      () => new Promise<void>((r) => (write = r)),
      (n) => sent.push(n),
    );
    gate.after(1, 10);
    gate.after(2, 10);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(sent, []);
    assert.equal(gate.bytes, 20);
    write();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(sent, [1, 2]);
    assert.equal(gate.bytes, 0);
  });

  it('drops replies beyond its byte bound while a write is slow (an attacker sizes them)', async () => {
    const sent: number[] = [];
    // A disk that never finishes.
    const gate = new ReplyGate<number>(
      () => new Promise<void>(() => undefined),
      (n) => sent.push(n),
      8192,
      4 * 1024 * 1024,
    );
    for (let i = 0; i < 20; i++) gate.after(i, 1024 * 1024);
    await new Promise((r) => setImmediate(r));
    assert.equal(gate.dropped, 16);
    assert.equal(gate.bytes, 4 * 1024 * 1024);
    assert.deepEqual(sent, []);
  });
});
