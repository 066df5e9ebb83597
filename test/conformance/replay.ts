/**
 * @module
 * Shared by the replays of the recorded Asterisk references (chan_sip and
 * res_pjsip): a probe's recorded messages in order, and the client's
 * digests re-signed for the persona's challenge.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { computeDigestResponse, parseDigest } from '../../src/sip/digest.js';
import { REFERENCE_PASSWORDS } from '../fixtures/sip/persona-config.js';

/** One recorded message of a probe: sent by the client or received from Asterisk. */
export interface Step {
  readonly file: string;
  readonly dir: 'sent' | 'recv';
  readonly bytes: Buffer;
  /** Seconds since the probe's first message, from the transcript (0 without one). */
  readonly t: number;
}

/**
 * The probe's messages in order (`NNN_sent*.bin`, `NNN_recv*.bin`), with the
 * transcript's times when given (`=== [N] SENT t=+0.503s`).
 */
export function stepsOf(probeDir: string, transcript = ''): Step[] {
  const times = new Map<number, number>();
  for (const m of transcript.matchAll(/^=== \[(\d+)\] (?:SENT|RECV) t=\+([\d.]+)s/gm))
    times.set(Number(m[1]), Number(m[2]));
  return readdirSync(probeDir)
    .filter((f) => f.endsWith('.bin'))
    .sort()
    .map((file) => ({
      file,
      dir: file.includes('_sent') ? ('sent' as const) : ('recv' as const),
      bytes: readFileSync(join(probeDir, file)),
      t: times.get(Number(/^(\d+)_/.exec(file)?.[1])) ?? 0,
    }));
}

/** The digest challenge last seen: its nonce and opaque (null when none). */
export interface Challenge {
  nonce: string | null;
  opaque: string | null;
}

/**
 * Re-signs the Authorization header of a recorded request for our
 * challenge (nonce, and opaque when we sent one), keeping it right or wrong
 * as it was for the recorded challenge.
 */
export function resign(sent: Buffer, recorded: Challenge, ours: Challenge): Buffer {
  const text = sent.toString('latin1');
  const m = /^Authorization: (.*)\r$/m.exec(text);
  if (!m || ours.nonce === null) return sent;
  const auth = parseDigest(m[1] ?? '');
  if (!auth?.username || !auth.uri || !auth.nonce) return sent;
  const method = /^(\S+)/.exec(text)?.[1] ?? '';
  const password = REFERENCE_PASSWORDS[auth.username] ?? 'unknown-user';
  const base = {
    username: auth.username,
    realm: auth.realm ?? '',
    method,
    uri: auth.uri,
    ...(auth.qop ? { qop: auth.qop } : {}),
    ...(auth.nc ? { nc: auth.nc } : {}),
    ...(auth.cnonce ? { cnonce: auth.cnonce } : {}),
  };
  const wasRight =
    recorded.nonce !== null &&
    computeDigestResponse({ ...base, password, nonce: recorded.nonce }) === auth.response;
  const response = computeDigestResponse({
    ...base,
    password: wasRight ? password : `${password}-wrong`,
    nonce: ours.nonce,
  });
  let line = (m[1] ?? '')
    .replace(/nonce="[^"]*"/, `nonce="${ours.nonce}"`)
    .replace(/response="[^"]*"/, `response="${response}"`);
  if (ours.opaque !== null) line = line.replace(/opaque="[^"]*"/, `opaque="${ours.opaque}"`);
  return Buffer.from(text.replace(m[0], `Authorization: ${line}\r`), 'latin1');
}

/** A quoted parameter of a message (`nonce="..."`), or null. */
export function paramIn(b: Buffer, name: string): string | null {
  return new RegExp(`${name}="([^"]+)"`).exec(b.toString('latin1'))?.[1] ?? null;
}
