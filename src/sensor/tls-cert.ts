/**
 * @module
 * A self-signed certificate for tls:// listeners, made at first start with
 * the `openssl` command-line tool (no new dependency) and reused after. A
 * honeypot only needs a certificate that completes the handshake; attackers
 * do not verify it. Never overwrites an existing pair.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
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

/**
 * The operator's own certificate and key (`tls.cert_file`, `tls.key_file`),
 * checked at start: both readable PEM, and the key the certificate's. A
 * failure is a SnareError naming the file.
 */
export function loadOperatorCert(certFile: string, keyFile: string): TlsMaterial {
  const read = (path: string, what: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new SnareError(
        'SNARE_ERR_IO',
        `cannot read the TLS ${what} ${path}: ${(err as Error).message}`,
        {
          cause: err,
        },
      );
    }
  };
  const cert = read(certFile, 'certificate (tls.cert_file)');
  const key = read(keyFile, 'key (tls.key_file)');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    throw new SnareError(
      'SNARE_ERR_CONFIG',
      `config: tls.cert_file: ${certFile} is not a PEM certificate`,
      {
        cause: err,
      },
    );
  }
  let matches: boolean;
  try {
    matches = x509.checkPrivateKey(createPrivateKey(key));
  } catch (err) {
    throw new SnareError(
      'SNARE_ERR_CONFIG',
      `config: tls.key_file: ${keyFile} is not a PEM private key`,
      {
        cause: err,
      },
    );
  }
  if (!matches)
    throw new SnareError(
      'SNARE_ERR_CONFIG',
      `config: tls.key_file: ${keyFile} is not the key of the certificate ${certFile}`,
    );
  return { key, cert };
}

/** The TLS material of a configuration: the operator's pair, else the self-signed one in `dir`. */
export function tlsMaterial(
  tls: { readonly cert_file: string | null; readonly key_file: string | null },
  dir: string,
): TlsMaterial {
  if (tls.cert_file !== null && tls.key_file !== null)
    return loadOperatorCert(tls.cert_file, tls.key_file);
  return ensureSelfSignedCert(dir);
}
