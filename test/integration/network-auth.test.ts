/**
 * Every way the shipper and the collector can authenticate to NATS,
 * against a real nats-server configured here for that way alone: a token,
 * an NKey (seed file), a creds file (operator mode: operator, account and
 * user JWTs made with the NATS libraries, the account with JetStream), and
 * TLS with a CA made here with openssl (the server's certificate signed by
 * it, and a client certificate the server requires). In each, events
 * shipped from a sensor's files reach the central store, and a client with
 * wrong or missing credentials is refused by the server.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { encodeAccount, encodeOperator, encodeUser, fmtCreds } from '@nats-io/jwt';
import { createAccount, createOperator, createUser } from '@nats-io/nkeys';
import { connect } from '@nats-io/transport-node';
import { CentralStore } from '../../src/collect/central-store.js';
import { Collector } from '../../src/collect/collector.js';
import { defaultConfig } from '../../src/config/defaults.js';
import type { ShipConfig } from '../../src/config/types.js';
import { eventOf } from '../../src/events/catalog.js';
import { silentLogger } from '../../src/log.js';
import { natsOptions } from '../../src/nats/connect.js';
import { Shipper } from '../../src/ship/shipper.js';
import { natsMissing, natsSuite } from './nats-server.js';
import { waitFor } from './network-helpers.js';

const opensslMissing =
  spawnSync('openssl', ['version']).status === 0 ? null : 'openssl is not installed';
const EVENTS = 5;
const base = defaultConfig().ship;

type ShipAuth = Partial<Omit<ShipConfig, 'tls'>> & { tls?: Partial<ShipConfig['tls']> };

function shipConfig(url: string, auth: ShipAuth): ShipConfig {
  return { ...base, ...auth, servers: [url], tls: { ...base.tls, ...auth.tls } };
}

/** A sensor's event directory with EVENTS lines. */
function eventDir(dir: string, sensor: string): string {
  const events = join(dir, `events-${sensor}`);
  mkdirSync(events, { recursive: true });
  let text = '';
  for (let i = 0; i < EVENTS; i++)
    text +=
      JSON.stringify(
        eventOf(
          {
            event: 'sip.request',
            event_id: crypto.randomUUID(),
            ts: new Date(Date.UTC(2026, 11, 6, 12, 0, i)).toISOString(),
            sensor,
            transport: 'udp',
            src_ip: '192.0.2.7',
            src_port: 5060,
            dst_ip: '127.0.0.1',
            dst_port: 5060,
          },
          { method: 'OPTIONS' },
        ),
      ) + '\n';
  writeFileSync(join(events, 'events-2026-12-06.jsonl'), text);
  return events;
}

/** Ships EVENTS events of `sensor` and collects them into a new store with `cfg`; the rows stored. */
async function roundTrip(dir: string, sensor: string, cfg: ShipConfig): Promise<number> {
  const shipper = new Shipper({
    dir: eventDir(dir, sensor),
    sensorId: sensor,
    cfg,
    log: silentLogger(),
  });
  const store = new CentralStore({
    path: join(dir, `${sensor}.duckdb`),
    enricher: { dataDate: null },
    gapMinutes: 60,
  });
  const collector = new Collector({
    servers: cfg.servers,
    ship: cfg,
    collect: { ...defaultConfig().collect, durable: `auth-${sensor}`, batch_ms: 50 },
    store,
    rejectedFile: join(dir, `${sensor}.rejected.jsonl`),
    log: silentLogger(),
  });
  shipper.start();
  try {
    assert.ok(await shipper.drained(20000), `${sensor}: the broker acknowledged every line`);
    await collector.start();
    await waitFor(() => collector.stats.stored === EVENTS, 20000, `${EVENTS} rows of ${sensor}`);
    return collector.stats.stored;
  } finally {
    await shipper.stop();
    await collector.stop();
  }
}

/** The server's answer to one connection attempt with `cfg` (no retries): 'connected' or the error. */
async function attempt(cfg: ShipConfig): Promise<string> {
  try {
    const nc = await connect({
      ...natsOptions(cfg, 'auth-test'),
      servers: [...cfg.servers],
      waitOnFirstConnect: false,
      maxReconnectAttempts: 0,
      reconnect: false,
      timeout: 5000,
    });
    await nc.close();
    return 'connected';
  } catch (err) {
    return String(err);
  }
}

describe(
  'NATS authentication of the shipper and the collector',
  { skip: natsMissing() ?? opensslMissing ?? false },
  () => {
    const suite = natsSuite('snare-auth-');
    const secret = (name: string, text: string | Uint8Array): string => {
      const path = join(suite.dir, name);
      writeFileSync(path, text, { mode: 0o600 });
      return path;
    };

    it('a token', { timeout: 90000 }, async () => {
      const nats = await suite.serve('authorization { token: "tok-3f9a1c" }');
      assert.equal(
        await roundTrip(suite.dir, 'tk01', shipConfig(nats.url, { token: 'tok-3f9a1c' })),
        EVENTS,
      );
      assert.match(await attempt(shipConfig(nats.url, { token: 'wrong' })), /authorization/i);
      assert.match(await attempt(shipConfig(nats.url, {})), /authorization/i);
    });

    it('an NKey seed file', { timeout: 90000 }, async () => {
      const user = createUser();
      const stranger = createUser();
      const nats = await suite.serve(
        `authorization { users: [ { nkey: ${user.getPublicKey()} } ] }`,
      );
      const seed = secret('user.nk', new TextDecoder().decode(user.getSeed()) + '\n');
      assert.equal(
        await roundTrip(suite.dir, 'nk01', shipConfig(nats.url, { nkey_seed_file: seed })),
        EVENTS,
      );
      const other = secret('stranger.nk', stranger.getSeed());
      assert.match(
        await attempt(shipConfig(nats.url, { nkey_seed_file: other })),
        /authorization/i,
      );
      assert.match(await attempt(shipConfig(nats.url, {})), /authorization/i);
    });

    it(
      'a creds file (operator, account with JetStream, user JWT)',
      { timeout: 90000 },
      async () => {
        const operator = createOperator();
        const account = createAccount();
        const system = createAccount();
        const user = createUser();
        const opJwt = await encodeOperator('sipsnare-op', operator, {
          system_account: system.getPublicKey(),
        });
        const accJwt = await encodeAccount(
          'SIPSNARE',
          account,
          {
            // Unlimited (-1) everything, JetStream included: the limits left out would be 0.
            limits: {
              subs: -1,
              conn: -1,
              leaf: -1,
              imports: -1,
              exports: -1,
              data: -1,
              payload: -1,
              wildcards: true,
              mem_storage: -1,
              disk_storage: -1,
              streams: -1,
              consumer: -1,
            },
          },
          { signer: operator },
        );
        const sysJwt = await encodeAccount('SYS', system, {}, { signer: operator });
        const userJwt = await encodeUser('sensor', user, account);
        const nats = await suite.serve(`operator: ${opJwt}
system_account: ${system.getPublicKey()}
resolver: MEMORY
resolver_preload: {
  ${account.getPublicKey()}: ${accJwt}
  ${system.getPublicKey()}: ${sysJwt}
}`);
        const creds = secret('sensor.creds', fmtCreds(userJwt, user));
        assert.equal(
          await roundTrip(suite.dir, 'cr01', shipConfig(nats.url, { creds_file: creds })),
          EVENTS,
        );
        // A user signed by an account the server does not know.
        const rogue = createUser();
        const rogueJwt = await encodeUser('rogue', rogue, createAccount());
        const bad = secret('rogue.creds', fmtCreds(rogueJwt, rogue));
        assert.match(await attempt(shipConfig(nats.url, { creds_file: bad })), /authorization/i);
        assert.match(await attempt(shipConfig(nats.url, {})), /authorization/i);
      },
    );

    it(
      'TLS with a CA, and a client certificate the server verifies',
      { timeout: 90000 },
      async () => {
        const pki = join(suite.dir, 'pki');
        mkdirSync(pki);
        const ssl = (...args: string[]): void => {
          const r = spawnSync('openssl', args, { cwd: pki, encoding: 'utf8' });
          assert.equal(r.status, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
        };
        ssl(
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '2',
          '-subj',
          '/CN=sipsnare test CA',
          '-keyout',
          'ca.key',
          '-out',
          'ca.crt',
        );
        const leaf = (name: string, ext: string): void => {
          ssl(
            'req',
            '-newkey',
            'rsa:2048',
            '-nodes',
            '-subj',
            `/CN=${name}`,
            '-keyout',
            `${name}.key`,
            '-out',
            `${name}.csr`,
          );
          writeFileSync(join(pki, `${name}.ext`), ext);
          ssl(
            'x509',
            '-req',
            '-in',
            `${name}.csr`,
            '-CA',
            'ca.crt',
            '-CAkey',
            'ca.key',
            '-CAcreateserial',
            '-days',
            '2',
            '-extfile',
            `${name}.ext`,
            '-out',
            `${name}.crt`,
          );
        };
        leaf('server', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
        leaf('client', 'extendedKeyUsage=clientAuth\n');
        const p = (f: string): string => join(pki, f);
        const nats = await suite.serve(`tls {
  cert_file: "${p('server.crt')}"
  key_file: "${p('server.key')}"
  ca_file: "${p('ca.crt')}"
  verify: true
}`);
        const url = nats.url.replace('nats://', 'tls://');
        const tls = { ca_file: p('ca.crt'), cert_file: p('client.crt'), key_file: p('client.key') };
        assert.equal(await roundTrip(suite.dir, 'tl01', shipConfig(url, { tls })), EVENTS);
        // Without the CA the client does not trust the server; without a certificate the server refuses the client.
        assert.notEqual(
          await attempt(shipConfig(url, { tls: { ...tls, ca_file: null } })),
          'connected',
        );
        assert.notEqual(
          await attempt(shipConfig(url, { tls: { ...tls, cert_file: null, key_file: null } })),
          'connected',
        );
        assert.equal(await attempt(shipConfig(url, { tls })), 'connected');
      },
    );
  },
);
