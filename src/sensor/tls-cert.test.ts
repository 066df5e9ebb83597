/**
 * The certificate of tls:// listeners: the self-signed pair the sensor
 * makes in its TLS directory (`sipsnare-key.pem`, `sipsnare-cert.pem`), or
 * the operator's own (`tls.cert_file`, `tls.key_file`), here one the test
 * makes with openssl (skipped without it, and says so).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type PeerCertificate } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../config/load.js';
import type { EventSink } from '../events/sink.js';
import { SnareError } from '../errors.js';
import type { Persona } from './persona/types.js';
import { Sensor } from './sensor.js';
import { loadOperatorCert } from './tls-cert.js';

const persona: Persona = {
  handle: () => ({
    event: 'sip.request',
    fields: { method: 'OPTIONS' },
    replies: [{ data: Buffer.from('SIP/2.0 200 OK\r\n\r\n'), status: 200 }],
    stopRetransmit: [],
  }),
};

const sink: EventSink = {
  name: 'none',
  write: () => undefined,
  flush: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A key and self-signed certificate made by openssl, CN = `cn`. */
function makePair(dir: string, cn: string): { cert: string; key: string } {
  const key = join(dir, `${cn}-key.pem`);
  const cert = join(dir, `${cn}-cert.pem`);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'].concat([
      '-days',
      '1',
      '-subj',
      `/CN=${cn}`,
      '-keyout',
      key,
      '-out',
      cert,
    ]),
    { stdio: 'ignore', timeout: 30000 },
  );
  return { cert, key };
}

/** The certificate the sensor's TLS listener presents. */
function presented(port: number): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const sock = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => {
      const c = sock.getPeerCertificate();
      sock.destroy();
      resolve(c);
    });
    sock.on('error', reject);
  });
}

describe('the TLS certificate', { skip: hasOpenssl() ? false : 'needs openssl' }, () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'snare-tls-cert-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("presents the operator's certificate from tls.cert_file and tls.key_file", async () => {
    const pair = makePair(dir, 'sip.operator.example');
    const tlsDir = join(dir, 'tls-unused');
    const config = loadConfig({
      flags: {
        listen: ['tls://127.0.0.1:0'],
        'store.db': null,
        'tls.cert_file': pair.cert,
        'tls.key_file': pair.key,
      },
    });
    const sensor = await Sensor.start({ config, persona, sink, tlsDir });
    try {
      const cert = await presented(sensor.addresses[0]?.port ?? 0);
      assert.equal(cert.subject.CN, 'sip.operator.example');
      assert.equal(existsSync(tlsDir), false, 'no self-signed pair made');
    } finally {
      await sensor.stop();
    }
  });

  it('makes sipsnare-key.pem and sipsnare-cert.pem in its TLS directory otherwise', async () => {
    const tlsDir = join(dir, 'tls');
    const config = loadConfig({ flags: { listen: ['tls://127.0.0.1:0'], 'store.db': null } });
    const sensor = await Sensor.start({ config, persona, sink, tlsDir });
    try {
      const cert = await presented(sensor.addresses[0]?.port ?? 0);
      assert.equal(cert.subject.CN, 'asterisk');
      assert.ok(existsSync(join(tlsDir, 'sipsnare-key.pem')));
      assert.ok(existsSync(join(tlsDir, 'sipsnare-cert.pem')));
    } finally {
      await sensor.stop();
    }
  });

  it('refuses one of the two keys alone, a key of another certificate, a missing file', () => {
    const a = makePair(dir, 'a.example');
    const b = makePair(dir, 'b.example');
    assert.throws(
      () => loadConfig({ flags: { 'tls.cert_file': a.cert } }),
      /tls\.cert_file and tls\.key_file: set both/,
    );
    assert.throws(
      () => loadOperatorCert(a.cert, b.key),
      (err) =>
        err instanceof SnareError &&
        /tls\.key_file: .*b\.example-key\.pem is not the key of the certificate/.test(err.message),
    );
    assert.throws(
      () => loadOperatorCert(join(dir, 'missing.pem'), a.key),
      /cannot read the TLS certificate \(tls\.cert_file\) .*missing\.pem/,
    );
    assert.deepEqual(Object.keys(loadOperatorCert(a.cert, a.key)).sort(), ['cert', 'key']);
  });
});
