import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { emptyEvent, type SnareEvent } from './catalog.js';
import { FanoutSink } from './fanout.js';
import type { EventSink } from './sink.js';

class Capture implements EventSink {
  readonly events: SnareEvent[] = [];
  flushed = 0;
  constructor(readonly name: string) {}
  write(e: SnareEvent): void {
    this.events.push(e);
  }
  flush(): Promise<void> {
    this.flushed++;
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}
const broken: EventSink = {
  name: 'broken',
  write() {
    throw new Error('disk on fire');
  },
  flush: () => Promise.reject(new Error('nope')),
  close: () => Promise.resolve(),
};

describe('FanoutSink', () => {
  it('keeps feeding healthy sinks when one throws, and counts the failures', async () => {
    const a = new Capture('a');
    const reports: number[] = [];
    const f = new FanoutSink([broken, a], (_n, count) => reports.push(count));
    for (let i = 0; i < 1001; i++) f.write(emptyEvent());
    await f.flush();
    assert.equal(a.events.length, 1001);
    assert.equal(a.flushed, 1);
    assert.equal(f.failureCount('broken'), 1002);
    assert.deepEqual(reports, [1, 1000]);
  });

  it('delivers to sinks added later', () => {
    const f = new FanoutSink();
    const b = new Capture('store');
    f.write(emptyEvent());
    f.add(b);
    f.write(emptyEvent());
    assert.equal(b.events.length, 1);
    assert.deepEqual(f.names, ['store']);
  });
});
