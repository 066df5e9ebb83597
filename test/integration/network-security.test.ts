/**
 * Security of the network: a nats-server whose users each may publish only
 * their own subject (docs/deploy.md shows the same configuration). A sensor
 * cannot publish as another sensor; an event on its own subject that names
 * another sensor, or breaks the event schema (wrong types, extra fields,
 * oversized strings, not JSON), is rejected by the collector, counted,
 * kept aside, and not stored.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { eventOf, type SnareEvent } from '../../src/events/catalog.js';
import { natsMissing, natsSuite } from './nats-server.js';
import { startCollector, waitFor, type CollectorProcess } from './network-helpers.js';

const AUTH = `authorization {
  users = [
    { user: hp01, password: "pw-hp01", permissions: {
        publish: { allow: ["sipsnare.events.hp01"] }, subscribe: { allow: ["_INBOX.>"] } } }
    { user: hp02, password: "pw-hp02", permissions: {
        publish: { allow: ["sipsnare.events.hp02"] }, subscribe: { allow: ["_INBOX.>"] } } }
    { user: collector, password: "pw-collector", permissions: {
        publish: { allow: ["$JS.API.>", "$JS.ACK.>"] }, subscribe: { allow: ["_INBOX.>"] } } }
  ]
}`;

function event(sensor: string, n: number): SnareEvent {
  return eventOf(
    {
      event: 'sip.request',
      event_id: `0190a000-0000-7000-8000-${String(n).padStart(12, '0')}`,
      ts: new Date(Date.UTC(2026, 11, 6, 12, 0, n)).toISOString(),
      sensor,
      transport: 'udp',
      src_ip: '192.0.2.7',
      src_port: 5060,
      dst_ip: '127.0.0.1',
      dst_port: 5060,
    },
    { method: 'OPTIONS' },
  );
}

describe('per-sensor credentials and event checks', { skip: natsMissing() ?? false }, () => {
  const suite = natsSuite('snare-sec-');
  let collector: CollectorProcess;
  let hp01: NatsConnection;

  before(async () => {
    const nats = await suite.serve(AUTH);
    // The collector's account creates the stream and its consumer.
    const c = await startCollector(suite.dir, join(suite.dir, 'central.duckdb'), [nats.url], {
      ship: { user: 'collector', password: 'pw-collector' },
      collect: { batch_ms: 100 },
    });
    collector = c;
    suite.defer(() => c.stop());
    const conn = await connect({ servers: nats.url, user: 'hp01', pass: 'pw-hp01' });
    hp01 = conn;
    suite.defer(() => conn.close());
  });

  it('a sensor publishes its own subject and cannot publish as another', async () => {
    const js = jetstream(hp01, { timeout: 3000 });
    const ack = await js.publish('sipsnare.events.hp01', JSON.stringify(event('hp01', 1)), {
      msgID: event('hp01', 1).event_id,
    });
    assert.equal(ack.stream, 'SIPSNARE');
    await assert.rejects(
      js.publish('sipsnare.events.hp02', JSON.stringify(event('hp02', 2))),
      /permission|timeout|no responders/i,
    );
    await waitFor(async () => (await collector.status()).stored === 1, 20000, 'the one event');
  });

  it('rejects, counts and keeps aside what breaks the schema or names another sensor', async () => {
    const js = jetstream(hp01, { timeout: 3000 });
    const good = event('hp01', 10);
    const bad: unknown[] = [
      { ...event('hp01', 11), src_port: '5060' }, // wrong type
      { ...event('hp01', 12), shell: 'rm -rf /' }, // extra field
      { ...event('hp01', 13), user_agent: 'x'.repeat(70_000) }, // oversized string
      event('hp02', 14), // another sensor's name on hp01's subject
    ];
    for (const b of bad) await js.publish('sipsnare.events.hp01', JSON.stringify(b));
    await js.publish('sipsnare.events.hp01', 'not json {');
    await js.publish('sipsnare.events.hp01', JSON.stringify(good), { msgID: good.event_id });
    await waitFor(
      async () => {
        const s = await collector.status();
        return s.rejected === 5 && s.stored === 2;
      },
      20000,
      '5 rejected and 2 stored',
    );
    const s = await collector.status();
    assert.deepEqual(Object.keys(s.rejected_by).sort(), [
      'hp01 event sensor differs from the subject sensor',
      'hp01 field "src_port" must be an integer',
      'hp01 field "user_agent" is longer than 65536 characters',
      'hp01 not UTF-8 JSON',
      'hp01 unknown field "shell"',
    ]);
    const kept = readFileSync(join(suite.dir, 'central.duckdb.rejected.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { sensor: string; reason: string; payload: string });
    assert.equal(kept.length, 5);
    assert.ok(kept.every((k) => k.sensor === 'hp01'));
    assert.ok(kept.some((k) => k.payload.includes('rm -rf /')));
    assert.match(collector.stderr(), /event rejected/);
  });
});
