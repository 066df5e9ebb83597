import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AckTracker,
  fittedAckPending,
  MAX_ACK_PENDING,
  MIN_ACK_PENDING,
  PACKED_PENDING_BYTES,
} from './consumer.js';

/** A delivery: stream sequence `seq`, consumer delivery sequence `d`. */
interface Delivery {
  readonly seq: number;
  readonly info: { readonly deliverySequence: number };
}
const msg = (seq: number, d: number): Delivery => ({ seq, info: { deliverySequence: d } });

function deliver(t: AckTracker<Delivery>, ms: readonly Delivery[]): readonly Delivery[] {
  for (const m of ms) t.delivered(m);
  return ms;
}

describe('AckTracker', () => {
  it('acknowledges a committed batch with its highest stream sequence', () => {
    const t = new AckTracker<Delivery>(1);
    const batch = deliver(t, [msg(1, 1), msg(2, 2), msg(3, 3)]);
    const rest = deliver(t, [msg(4, 4)]);
    assert.equal(t.target(batch, rest)?.seq, 3);
    assert.equal(t.target(rest, [])?.seq, 4);
    assert.equal(t.broken, false);
  });

  it('holds the ack while a message not yet committed has a lower stream sequence', () => {
    const t = new AckTracker<Delivery>(10);
    const batch = deliver(t, [msg(20, 10), msg(21, 11)]);
    // A redelivery of stream sequence 5 arrives after the batch: acking 21 would cover it.
    const redelivered = deliver(t, [msg(5, 12)]);
    assert.equal(t.target(batch, redelivered), null);
    // Its batch's ack covers the earlier batch as well (stream sequence 21, not 5).
    assert.equal(t.target(redelivered, [])?.seq, 21);
    assert.equal(t.target([], []), null);
  });

  it('acknowledges nothing once a delivery went missing', () => {
    const t = new AckTracker<Delivery>(1);
    const batch = deliver(t, [msg(1, 1), msg(2, 2)]);
    assert.equal(t.broken, false);
    deliver(t, [msg(4, 4)]); // delivery 3 never arrived
    assert.equal(t.broken, true);
    assert.equal(t.target(batch, []), null);
    assert.equal(t.target([msg(4, 4)], []), null);
  });

  it('sees a first delivery other than the one expected as a gap', () => {
    const t = new AckTracker<Delivery>(7);
    deliver(t, [msg(1, 8)]);
    assert.equal(t.broken, true);
  });
});

describe('fittedAckPending', () => {
  it('keeps MAX_ACK_PENDING for one event per message, about its worth of events for more', () => {
    assert.equal(fittedAckPending(1), MAX_ACK_PENDING);
    assert.equal(fittedAckPending(1.4), MAX_ACK_PENDING);
    assert.equal(fittedAckPending(100), MAX_ACK_PENDING / 100);
    assert.equal(fittedAckPending(96.2), Math.floor(MAX_ACK_PENDING / 96.2));
    assert.equal(fittedAckPending(10_000), MIN_ACK_PENDING);
    assert.equal(fittedAckPending(Number.NaN), MAX_ACK_PENDING);
  });

  it('keeps packed messages waiting under PACKED_PENDING_BYTES, single events as before', () => {
    // 100 events of 600 bytes: events bind (500 messages, 30 MB).
    assert.equal(fittedAckPending(100, 60_000), 500);
    // 100 events of 2 KB: bytes bind.
    assert.equal(fittedAckPending(100, 200_000), Math.floor(PACKED_PENDING_BYTES / 200_000));
    assert.equal(fittedAckPending(500, 512 * 1024), MIN_ACK_PENDING);
    assert.equal(fittedAckPending(1, 70_000), MAX_ACK_PENDING);
  });
});
