/**
 * The shipper's publisher against a real nats-server: the Nats-Msg-Id
 * header it writes itself (src/ship/msg-id-header.ts) reaches the stream,
 * so the stream's duplicate window drops a second publish of an event, and
 * an id that cannot be a header value goes without one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { defaultConfig } from '../../src/config/defaults.js';
import { ensureStream } from '../../src/nats/connect.js';
import { StreamPublisher, type PublishOutcome } from '../../src/ship/publisher.js';
import { natsMissing, startNatsServer, type NatsServer } from './nats-server.js';

const missing = natsMissing();

describe('StreamPublisher with Nats-Msg-Id (real nats-server)', { skip: missing ?? false }, () => {
  let server: NatsServer | undefined;
  let nc: NatsConnection | undefined;
  const ship = { ...defaultConfig().ship, stream: 'MSGID', subject_prefix: 'msgid.events' };

  before(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url });
    assert.equal(await ensureStream(nc, ship), true);
  });
  after(async () => {
    await nc?.close();
    await server?.cleanup();
  });

  it('sends the id as a header: a repeat is a duplicate, an unfit id goes without one', async () => {
    const conn = nc;
    assert.ok(conn, 'nats-server started');
    const pub = new StreamPublisher(conn, 5000);
    const send = (payload: string, id: string | null): Promise<PublishOutcome> =>
      new Promise((resolve) => {
        pub.publish('msgid.events.s1', new TextEncoder().encode(payload), id, resolve);
      });
    const id = '0190b000-0000-7000-8000-000000000042';
    assert.deepEqual(await send('{"n":1}', id), { ok: true, duplicate: false, error: null });
    assert.deepEqual(await send('{"n":1}', id), { ok: true, duplicate: true, error: null });
    const other = await send('{"n":2}', '0190b000-0000-7000-8000-000000000043');
    assert.equal(other.duplicate, false);
    // Twice with an id that cannot be a header value: stored twice, never refused.
    for (let i = 0; i < 2; i++) assert.deepEqual((await send('{"n":3}', 'a b')).duplicate, false);
    pub.close();
    const jsm = await jetstreamManager(conn);
    const info = await jsm.streams.info('MSGID');
    assert.equal(info.state.messages, 4);
    const first = await jsm.streams.getMessage('MSGID', { seq: 1 });
    assert.equal(first?.header.get('Nats-Msg-Id'), id);
    const unfit = await jsm.streams.getMessage('MSGID', { seq: 3 });
    assert.equal(unfit?.header.get('Nats-Msg-Id') ?? '', '');
  });
});
