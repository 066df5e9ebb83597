/**
 * @module
 * Unit tests of the truth builder on hand-made streams: the one-hour
 * boundary of unified INVITEs, unification across sensors, internal
 * extensions, and the first INVITE's user-agent label.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Actor, SimEvent } from './model.js';
import type { DestNumber } from './numbers.js';
import { TruthBuilder } from './truth.js';

const actor = (ip: string, cc: string, asn: number): Actor => ({
  id: 0,
  host: { ip, cc, asn, asName: 'AS' },
  role: 'caller',
  ua: { kind: 'none' },
  port: 5060,
  name: null,
  targets: null,
});
const A = actor('198.51.100.7', 'US', 64500);
const B = actor('203.0.113.9', 'CN', 64501);
const IL: DestNumber = { e164: '+972501234586', cc: 'IL', type: 'MOBILE' };
const CZ: DestNumber = { e164: '+420601234567', cc: 'CZ', type: 'MOBILE' };

let seq = 0;
function invite(
  src: Actor,
  t: number,
  dest: DestNumber | null,
  ua: string | null = null,
  sensor = 0,
): SimEvent {
  return {
    t,
    seq: seq++,
    sensor,
    actor: src,
    method: 'INVITE',
    from: '100',
    to: dest ? `00${dest.e164.slice(1)}` : '100',
    resp: 486,
    ua,
    uaRandom: false,
    dest,
    shape: null,
    phase: dest ? 'abuse' : 'enumeration',
    authUser: null,
    password: null,
    authOk: null,
    callId: 'x',
    cseq: 1,
  };
}

type Doc = {
  summary: Record<string, number>;
  user_agents: { label: string; count: number }[];
  country_pairs: { source: string; destination: string; count: number }[];
};

function build(events: SimEvent[]): Doc {
  const truth = new TruthBuilder();
  for (const e of events) truth.add(e, new Date(e.t * 1000).toISOString().slice(0, 10));
  return truth.finish({}) as unknown as Doc;
}

describe('TruthBuilder', () => {
  it('keeps INVITEs 3600 s apart in one unified call and splits at 3601 s', () => {
    const doc = build([invite(A, 0, IL), invite(A, 3600, IL), invite(A, 7201, IL)]);
    assert.equal(doc.summary['invite_messages'], 3);
    assert.equal(doc.summary['unified_invites'], 2);
  });

  it('measures the gap between consecutive INVITEs, not from the first one', () => {
    const doc = build([
      invite(A, 0, IL),
      invite(A, 3000, IL),
      invite(A, 6000, IL),
      invite(A, 9000, IL),
    ]);
    assert.equal(doc.summary['unified_invites'], 1);
  });

  it('unifies one source and number across sensors, but not across sources or numbers', () => {
    const doc = build([
      invite(A, 10, IL, null, 0),
      invite(A, 11, IL, null, 3),
      invite(B, 12, IL),
      invite(A, 13, CZ),
    ]);
    assert.equal(doc.summary['unified_invites'], 3);
    assert.deepEqual(
      doc.country_pairs.map((p) => `${p.source}>${p.destination}:${p.count}`).sort(),
      ['CN>IL:1', 'US>CZ:1', 'US>IL:1'],
    );
  });

  it('counts INVITEs to internal extensions as messages only, not unified calls', () => {
    const doc = build([invite(A, 0, null), invite(A, 1, null), invite(A, 2, IL)]);
    assert.equal(doc.summary['invite_messages'], 3);
    assert.equal(doc.summary['unified_invites'], 1);
  });

  it('labels a unified call by its first INVITE and counts sources, ASNs and days over all events', () => {
    const doc = build([
      invite(A, 0, IL, null),
      invite(A, 5, IL, 'X-Lite'),
      invite(B, 86400, CZ, 'Zoiper'),
    ]);
    assert.deepEqual(
      doc.user_agents.map((u) => [u.label, u.count]),
      [
        ['Zoiper', 1],
        ['undefined', 1],
      ],
    );
    assert.equal(doc.summary['unique_ips'], 2);
    assert.equal(doc.summary['unique_asns'], 2);
    assert.equal(doc.summary['days'], 2);
  });

  it('refuses events out of time order, which would make the unification wrong', () => {
    const truth = new TruthBuilder();
    truth.add(invite(A, 100, IL), '1970-01-01');
    assert.throws(() => {
      truth.add(invite(A, 99, IL), '1970-01-01');
    }, RangeError);
  });
});
