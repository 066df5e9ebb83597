/**
 * @module
 * A self-signed certificate for tls:// listeners, made at first start with
 * the `openssl` command-line tool (no new dependency) and reused after. A
 * honeypot only needs a certificate that completes the handshake; attackers
 * do not verify it. Never overwrites an existing pair.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SnareError } from '../errors.js';

export interface TlsMaterial {
  readonly key: string;
  readonly cert: string;
}

/**
 * Returns the key and certificate in `dir` (`sipsnare-key.pem`,
 * `sipsnare-cert.pem`), creating them first if absent: RSA 2048, ten years,
 * CN = `commonName` (an Asterisk box name by default).
 */
export function ensureSelfSignedCert(dir: string, commonName = 'asterisk'): TlsMaterial {
  const keyPath = join(dir, 'sipsnare-key.pem');
  const certPath = join(dir, 'sipsnare-cert.pem');
  if (!existsSync(keyPath) || !existsSync(certPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '3650',
          '-subj',
          `/CN=${commonName.replace(/[^A-Za-z0-9.-]/g, '')}`,
          '-keyout',
          keyPath,
          '-out',
          certPath,
        ],
        { stdio: 'ignore', timeout: 30000 },
      );
    } catch (err) {
      throw new SnareError(
        'SNARE_ERR_IO',
        'cannot create a TLS certificate with openssl (is it installed?)',
        {
          cause: err,
        },
      );
    }
  }
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8') };
}
