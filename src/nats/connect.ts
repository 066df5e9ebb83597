/**
 * @module
 * Connects to NATS with the `ship:` settings (servers, user/password, token,
 * NKey seed or creds file, TLS with a CA), shared by the shipper and the
 * collector, and makes sure the events stream exists. The client library
 * reconnects by itself, for ever: a broker that goes away is waited for,
 * never fatal.
 */
import { readFileSync } from 'node:fs';
import {
  connect,
  credsAuthenticator,
  nkeyAuthenticator,
  type Authenticator,
  type NatsConnection,
  type NodeConnectionOptions,
} from '@nats-io/transport-node';
import { jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { ShipConfig } from '../config/types.js';
import { SnareError } from '../errors.js';

/** Largest key or credentials file read. */
const MAX_SECRET_BYTES = 64 * 1024;

function readSecret(path: string, what: string): Uint8Array {
  try {
    const buf = readFileSync(path);
    if (buf.length > MAX_SECRET_BYTES) throw new Error(`larger than ${MAX_SECRET_BYTES} bytes`);
    return new Uint8Array(buf);
  } catch (err) {
    throw new SnareError('SNARE_ERR_CONFIG', `cannot read ${what} ${path}: ${String(err)}`, {
      cause: err,
    });
  }
}

/** The client options of `cfg`, without the servers. */
/** The stream drops a message whose id it saw this recently (nanoseconds: 2 minutes). */
export const DUPLICATE_WINDOW_NS = 120_000_000_000;

export function natsOptions(cfg: ShipConfig, name: string): NodeConnectionOptions {
  const opts: NodeConnectionOptions = {
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
    waitOnFirstConnect: true,
    timeout: 5000,
  };
  if (cfg.user !== null) {
    opts.user = cfg.user;
    if (cfg.password !== null) opts.pass = cfg.password;
  }
  if (cfg.token !== null) opts.token = cfg.token;
  const auth: Authenticator[] = [];
  if (cfg.nkey_seed_file !== null) {
    const seed = new TextDecoder().decode(readSecret(cfg.nkey_seed_file, 'NKey seed')).trim();
    auth.push(nkeyAuthenticator(new TextEncoder().encode(seed)));
  }
  if (cfg.creds_file !== null) auth.push(credsAuthenticator(readSecret(cfg.creds_file, 'creds')));
  if (auth.length > 0) opts.authenticator = auth;
  const tls = cfg.tls;
  if (tls.ca_file !== null || tls.cert_file !== null) {
    opts.tls = {
      ...(tls.ca_file !== null ? { caFile: tls.ca_file } : {}),
      ...(tls.cert_file !== null ? { certFile: tls.cert_file } : {}),
      ...(tls.key_file !== null ? { keyFile: tls.key_file } : {}),
    };
  }
  return opts;
}

/** Connects (waiting for a first server as long as it takes, unless `signal` fires). */
export async function connectNats(
  servers: readonly string[],
  cfg: ShipConfig,
  name: string,
): Promise<NatsConnection> {
  if (servers.length === 0)
    throw new SnareError('SNARE_ERR_CONFIG', 'no NATS server: set ship.servers');
  return connect({ ...natsOptions(cfg, name), servers: [...servers] });
}

/** The subjects of the events stream. */
export function streamSubjects(cfg: ShipConfig): string {
  return `${cfg.subject_prefix}.>`;
}

/** The subject one sensor publishes on. */
export function sensorSubject(cfg: ShipConfig, sensor: string): string {
  return `${cfg.subject_prefix}.${sensor}`;
}

/**
 * Creates the events stream when missing (file storage, `cfg.replicas`,
 * a 2-minute duplicate window). Returns false when the account may not
 * look streams up or create them (a sensor allowed only to publish): the
 * stream is then someone else's job.
 */
export async function ensureStream(nc: NatsConnection, cfg: ShipConfig): Promise<boolean> {
  let jsm;
  try {
    jsm = await jetstreamManager(nc, { timeout: 5000 });
  } catch {
    return false;
  }
  try {
    await jsm.streams.info(cfg.stream);
    return true;
  } catch (err) {
    if (!/not found/i.test(String(err))) return false;
  }
  try {
    await jsm.streams.add({
      name: cfg.stream,
      subjects: [streamSubjects(cfg)],
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      num_replicas: cfg.replicas,
      duplicate_window: DUPLICATE_WINDOW_NS,
    });
    return true;
  } catch (err) {
    // Created meanwhile by another sensor or the collector: fine.
    if (/already in use|exists/i.test(String(err))) return true;
    return false;
  }
}
