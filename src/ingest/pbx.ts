/**
 * @module
 * Security lines of real PBX logs as events: Asterisk chan_sip and PJSIP
 * notices, res_security_log `SecurityEvent=` lines, and FreeSWITCH
 * `sofia_reg.c` warnings, bare or behind a syslog prefix. The mapping to
 * events is documented in docs/ingest.md: failed registrations become
 * REGISTER with response 403 (wrong password, ACL) or 404 (unknown user),
 * rejected calls become INVITE with `dialed` = the extension string and
 * response 404, FreeSWITCH auth challenges 401/407.
 *
 * PBX logs carry local time without a zone: it is read as UTC. A time
 * without a year takes the year of the last full date seen (else `year`);
 * a line without any time takes the previous line's.
 *
 * Must never throw: unknown lines are skipped or rejected with a reason.
 */
import type { Transport } from '../events/catalog.js';
import { MAX_VALUE_CHARS } from './legacy.js';

export interface PbxRecord {
  readonly origin: 'asterisk' | 'freeswitch';
  readonly tsMs: number;
  readonly ip: string;
  readonly port: number | null;
  readonly transport: Transport | null;
  readonly method: string | null;
  readonly fromUser: string | null;
  readonly authUser: string | null;
  readonly dialed: string | null;
  readonly response: number | null;
}

export interface PbxContext {
  /** Time of the last line that had one (ms), 0 when none yet. */
  lastTsMs: number;
  /** Year for times that have none. */
  year: number;
}

const MONTHS = 'JanFebMarAprMayJunJulAugSepOctNovDec';

const TIME_PATTERNS: readonly RegExp[] = [
  // [2012-02-13 17:21:54], 2013-12-31 17:39:54.767815, 2016-09-25T18:57:58.150982
  /^\[?(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)/,
  // [Jan 18 17:39:50], Nov 4 18:30:40 (syslog)
  /^\[?([A-Z][a-z]{2}) +(\d{1,2}) (\d\d):(\d\d):(\d\d)/,
  // 08-03 07:56:53.026292 (FreeSWITCH without year)
  /^(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.\d+ /,
];

/** Epoch ms of the time at the start of a line, or null; updates `ctx.year` from full dates. */
export function pbxTime(line: string, ctx: PbxContext): number | null {
  let m = TIME_PATTERNS[0]?.exec(line);
  if (m) {
    const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    ctx.year = y;
    return Date.UTC(y, mo - 1, d, h, mi, s);
  }
  m = TIME_PATTERNS[1]?.exec(line);
  if (m) {
    const mon = MONTHS.indexOf(m[1] ?? '');
    if (mon < 0 || mon % 3 !== 0) return null;
    const [d, h, mi, s] = m.slice(2, 6).map(Number) as [number, number, number, number];
    return Date.UTC(ctx.year, mon / 3, d, h, mi, s);
  }
  m = TIME_PATTERNS[2]?.exec(line);
  if (m) {
    const [mo, d, h, mi, s] = m.slice(1, 6).map(Number) as [number, number, number, number, number];
    return Date.UTC(ctx.year, mo - 1, d, h, mi, s);
  }
  return null;
}

function clip(s: string | undefined | null): string | null {
  if (s === undefined || s === null || s === '') return null;
  return s.length > MAX_VALUE_CHARS ? s.slice(0, MAX_VALUE_CHARS) : s;
}

/** `1.2.3.4`, `1.2.3.4:5060`, `[2001:db8::1]:5060`, `2001:db8::1` -> address and port. */
export function splitAddress(text: string): { ip: string; port: number | null } | null {
  const t = text.trim();
  let m = /^\[([0-9A-Fa-f:.]+)\](?::(\d{1,5}))?$/.exec(t);
  if (m) return { ip: m[1] ?? '', port: m[2] ? Number(m[2]) : null };
  m = /^(\d{1,3}(?:\.\d{1,3}){3})(?::(\d{1,5}))?$/.exec(t);
  if (m) return { ip: m[1] ?? '', port: m[2] ? Number(m[2]) : null };
  if (/^[0-9A-Fa-f:]+$/.test(t) && t.includes(':')) return { ip: t, port: null };
  return null;
}

/** User part of `'"100" <sip:100@host>'`-like text. */
function sipUser(text: string): string | null {
  const m = /sips?:([^@>;\s]*)@/.exec(text);
  return clip(m?.[1]);
}

function transportOf(t: string | undefined): Transport | null {
  const v = t?.toLowerCase();
  return v === 'udp' || v === 'tcp' || v === 'tls' ? v : null;
}

/** chan_sip reasons that mean "no such user": answered 404 (alwaysauthreject=no). */
const NOT_FOUND = /No matching (peer|endpoint)|Not a local domain/;

function regResponse(reason: string): number {
  return NOT_FOUND.test(reason) ? 404 : 403;
}

const RE = {
  registration: /Registration from '(.*)' failed for '([^']+)' - (.*)$/,
  callFrom:
    /Call from '(.*)' \((?:(UDP|TCP|TLS):)?([^)]+)\) to extension '(.*)' rejected because extension not found/,
  callAnon:
    /: Call \((?:(UDP|TCP|TLS):)?([^)]+)\) to extension '(.*)' rejected because extension not found/,
  request: /Request (?:'([A-Z]+)' )?from '(.*)' failed for '([^']+)' \(callid: .*\) - (.*)$/,
  hacking: /chan_sip\.c: hacking attempt detected '([^']+)'/,
  unknownConn: /Rejecting unknown SIP connection from ([0-9A-Fa-f:.[\]]+)"/,
  security: /SecurityEvent="([A-Za-z]+)"/,
  fsAuth:
    /sofia_reg\.c:?\d*\]? SIP auth (failure|challenge) \(([A-Z]+)\) on sofia profile '[^']*' for \[([^\]]*)\] from ip (\S+)/,
  fsUser: /sofia_reg\.c:?\d*\]? Can't find user \[([^\]]*)\] from (\S+)/,
  fsAcl: /sofia_reg\.c:?\d*\]? IP (\S+) Rejected by register acl/,
};

/** SecurityEvent names that are attacks, with the response a REGISTER got. */
const SECURITY_EVENTS: Readonly<Record<string, number>> = {
  InvalidAccountID: 404,
  InvalidPassword: 403,
  ChallengeResponseFailed: 403,
  FailedACL: 403,
};

function attr(line: string, name: string, last: boolean): string | undefined {
  const key = `${name}="`;
  const at = last ? line.lastIndexOf(key) : line.indexOf(key);
  if (at < 0) return undefined;
  const end = line.indexOf('"', at + key.length);
  return end < 0 ? undefined : line.slice(at + key.length, end);
}

type Body = Omit<PbxRecord, 'tsMs'>;
type Known = Partial<Omit<Body, 'origin' | 'ip' | 'port'>>;

/** A record at `address` (ip[:port]) where only `known` is known; 'bad_address' when unreadable. */
function at(origin: Body['origin'], address: string, known: Known): Body | string {
  const a = splitAddress(address);
  if (!a) return 'bad_address';
  return {
    origin,
    ...a,
    transport: null,
    method: null,
    fromUser: null,
    authUser: null,
    dialed: null,
    response: null,
    ...known,
  };
}

function asterisk(line: string): Body | string {
  let m = RE.registration.exec(line);
  if (m) {
    return at('asterisk', m[2] ?? '', {
      method: 'REGISTER',
      fromUser: sipUser(m[1] ?? ''),
      response: regResponse(m[3] ?? ''),
    });
  }
  m = RE.callFrom.exec(line);
  const anon = m ? null : RE.callAnon.exec(line);
  if (m || anon) {
    const [tr, addr, ext] = m ? [m[2], m[3], m[4]] : [anon?.[1], anon?.[2], anon?.[3]];
    return at('asterisk', addr ?? '', {
      transport: transportOf(tr),
      method: 'INVITE',
      dialed: clip(ext),
      response: 404,
    });
  }
  m = RE.request.exec(line);
  if (m) {
    return at('asterisk', m[3] ?? '', {
      method: m[1] ?? null,
      fromUser: sipUser(m[2] ?? ''),
      response: regResponse(m[4] ?? ''),
    });
  }
  m = RE.security.exec(line);
  if (m) {
    const response = SECURITY_EVENTS[m[1] ?? ''];
    const service = attr(line, 'Service', false);
    if (response === undefined || (service !== 'SIP' && service !== 'PJSIP')) return 'skip';
    const remote = attr(line, 'RemoteAddress', true)?.split('/');
    if (!remote || remote.length < 4) return 'bad_address';
    const account = attr(line, 'AccountID', false);
    const user =
      account === undefined || account === '' || account === '<unknown>' ? null : clip(account);
    return {
      origin: 'asterisk',
      ip: remote[2] ?? '',
      port: Number(remote[3]) || null,
      transport: transportOf(remote[1]),
      method: 'REGISTER',
      fromUser: null,
      authUser: user,
      dialed: null,
      response,
    };
  }
  m = RE.hacking.exec(line);
  if (m) return at('asterisk', m[1] ?? '', {});
  m = RE.unknownConn.exec(line);
  if (m) return at('asterisk', m[1] ?? '', { method: 'INVITE' });
  return 'skip';
}

function userOf(target: string): string | null {
  const i = target.indexOf('@');
  return clip(i >= 0 ? target.slice(0, i) : target);
}

function freeswitch(line: string): Body | string {
  let m = RE.fsAuth.exec(line);
  if (m) {
    const method = m[2] ?? null;
    const user = userOf(m[3] ?? '');
    const invite = method === 'INVITE';
    return at('freeswitch', m[4] ?? '', {
      method,
      fromUser: invite ? null : user,
      dialed: invite ? user : null,
      response: m[1] === 'challenge' ? (method === 'REGISTER' ? 401 : 407) : 403,
    });
  }
  m = RE.fsUser.exec(line);
  if (m) {
    return at('freeswitch', m[2] ?? '', {
      method: 'REGISTER',
      fromUser: userOf(m[1] ?? ''),
      response: 404,
    });
  }
  m = RE.fsAcl.exec(line);
  if (m) return at('freeswitch', m[1] ?? '', { method: 'REGISTER', response: 403 });
  return 'skip';
}

/**
 * One log line: a record for an attack line, 'skip' for lines that are not
 * (other notices, non-SIP services such as IAX2 and AMI), or a reject reason
 * for a line that looks like an attack line but cannot be read.
 */
export function parsePbxLine(line: string, ctx: PbxContext): PbxRecord | string {
  if (line.length > 64 * 1024) return 'line_too_long';
  const isFs = line.includes('sofia_reg.c');
  const r = isFs ? freeswitch(line) : asterisk(line);
  if (typeof r === 'string') return r;
  const t = pbxTime(line, ctx);
  const tsMs = t ?? ctx.lastTsMs;
  if (t !== null) ctx.lastTsMs = t;
  if (!tsMs) return 'no_time';
  return { ...r, tsMs };
}
