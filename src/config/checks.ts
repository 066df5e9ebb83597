/**
 * @module
 * The value checks of the configuration schema (schema.ts): each takes a
 * parsed YAML or environment value and returns it normalised, or what was
 * expected. Pure.
 */
import { isSensorId, SENSOR_ID_RULE } from '../events/catalog.js';
import { PERSONA_PRESETS } from './types.js';
import { parseListenUrl } from './listen-url.js';

/** A check returns the normalised value, or what was expected. */
export type CheckResult = { ok: true; value: unknown } | { ok: false; expected: string };
export type Check = (v: unknown) => CheckResult;

/** How an environment variable's text becomes a value: as is, a YAML value, or a comma list. */
export type EnvSyntax = 'text' | 'yaml' | 'list';

const MAX_TEXT = 1024;
const ok = (value: unknown): CheckResult => ({ ok: true, value });
const bad = (expected: string): CheckResult => ({ ok: false, expected });

export const text: Check = (v) =>
  typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT
    ? ok(v)
    : bad(`a non-empty string of at most ${MAX_TEXT} characters`);
export const nullableText: Check = (v) => (v === null ? ok(null) : text(v));
export const sensorId: Check = (v) =>
  typeof v === 'string' && isSensorId(v) ? ok(v) : bad(SENSOR_ID_RULE);
export const bool: Check = (v) => (typeof v === 'boolean' ? ok(v) : bad('true or false'));

export function intIn(min: number, max: number, what: string): Check {
  return (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? ok(v) : bad(what);
}
export const positive = intIn(1, Number.MAX_SAFE_INTEGER, 'a positive integer');
/** The sensor never accepts a call (no media), so a dial answer is never 2xx. */
export const finalStatus = intIn(
  300,
  699,
  'a SIP final status code from 300 to 699 (the sensor never accepts a call, so never answers 2xx)',
);
/** A dial rule may also ring (180/183): the call then rings until dial.ring_seconds or a CANCEL. */
const dialStatus: Check = (v) =>
  v === 180 || v === 183
    ? ok(v)
    : finalStatus(v).ok
      ? ok(v)
      : bad('180, 183 or a SIP final status code from 300 to 699 (never 2xx)');

export const listenList: Check = (v) => {
  if (!Array.isArray(v) || v.length === 0 || v.length > 32)
    return bad('a list of 1-32 listener URLs');
  for (const u of v) {
    if (typeof u !== 'string') return bad('a list of listener URLs (strings)');
    const r = parseListenUrl(u);
    if (!r.ok) return bad(`listener URLs: ${r.error}`);
  }
  return ok([...(v as string[])]);
};

export const preset: Check = (v) =>
  typeof v === 'string' && (PERSONA_PRESETS as readonly string[]).includes(v)
    ? ok(v)
    : bad(`one of ${PERSONA_PRESETS.join(', ')}`);

const EXTENSION_RE = /^[A-Za-z0-9_.+*#-]{1,32}$/;
const asText = (v: unknown): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' && Number.isInteger(v) ? String(v) : null;

export const extensions: Check = (v) => {
  if (!Array.isArray(v) || v.length > 10000)
    return bad('a list of { number, password } (at most 10000)');
  const seen = new Set<string>();
  const out: { number: string; password: string | null }[] = [];
  for (const e of v) {
    if (typeof e !== 'object' || e === null || Array.isArray(e))
      return bad('a list of { number, password }');
    const rec = e as Record<string, unknown>;
    for (const k of Object.keys(rec))
      if (k !== 'number' && k !== 'password')
        return bad(`{ number, password } (unknown key "${k.slice(0, 40)}")`);
    const number = asText(rec['number']);
    if (number === null || !EXTENSION_RE.test(number))
      return bad('extension numbers of 1-32 characters of A-Z a-z 0-9 _ . + * # -');
    if (seen.has(number)) return bad(`unique extension numbers (${number} twice)`);
    seen.add(number);
    const pw = rec['password'] ?? null;
    const password = pw === null ? null : asText(pw);
    if (pw !== null && (password === null || password.length > 128))
      return bad('passwords that are strings of at most 128 characters, or null');
    out.push({ number, password });
  }
  return ok(out);
};

export const dialRules: Check = (v) => {
  if (!Array.isArray(v) || v.length > 1000)
    return bad('a list of { pattern, response } (at most 1000)');
  const out: { pattern: string; response: number }[] = [];
  for (const r of v) {
    if (typeof r !== 'object' || r === null || Array.isArray(r))
      return bad('a list of { pattern, response }');
    const rec = r as Record<string, unknown>;
    for (const k of Object.keys(rec))
      if (k !== 'pattern' && k !== 'response')
        return bad(`{ pattern, response } (unknown key "${k.slice(0, 40)}")`);
    const pattern = rec['pattern'];
    if (typeof pattern !== 'string' || pattern.length === 0 || pattern.length > 256)
      return bad('rule patterns that are regular expressions of at most 256 characters');
    try {
      new RegExp(pattern);
    } catch {
      return bad(
        `rule patterns that are valid regular expressions (not ${JSON.stringify(pattern.slice(0, 60))})`,
      );
    }
    const response = dialStatus(rec['response']);
    if (!response.ok) return bad(`rule responses that are ${response.expected}`);
    out.push({ pattern, response: response.value as number });
  }
  return ok(out);
};

/** Inline list of passwords, or the path of a file with one per line (read by load.ts). */
export const wordlist: Check = (v) => {
  if (typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT) return ok(v);
  if (!Array.isArray(v) || v.length > 100000) return bad('a list of passwords or a file path');
  for (const w of v)
    if (typeof w !== 'string' || w.length > 128)
      return bad('passwords that are strings of at most 128 characters');
  return ok([...(v as string[])]);
};

export const hostPort: Check = (v) =>
  typeof v === 'string' && /^(?:\[[0-9a-fA-F:.]+\]|[0-9.]+|localhost):\d{1,5}$/.test(v)
    ? ok(v)
    : bad('HOST:PORT with a literal address ([::1]:8080 for IPv6)');

/** A NATS server URL: nats:// or tls://, a host (name or literal) and an optional port. */
const NATS_URL_RE = /^(?:nats|tls):\/\/(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]{1,253})(?::\d{1,5})?$/;
export const natsServers: Check = (v) => {
  if (!Array.isArray(v) || v.length > 32) return bad('a list of at most 32 NATS server URLs');
  for (const u of v)
    if (typeof u !== 'string' || !NATS_URL_RE.test(u))
      return bad('NATS server URLs such as nats://10.0.0.5:4222 or tls://nats.example.net:4222');
  return ok([...(v as string[])]);
};
/** A NATS subject prefix: dot-separated tokens, no wildcards. */
export const subjectPrefix: Check = (v) =>
  typeof v === 'string' && /^[A-Za-z0-9_-]{1,64}(?:\.[A-Za-z0-9_-]{1,64}){0,7}$/.test(v)
    ? ok(v)
    : bad('dot-separated tokens of A-Z a-z 0-9 _ - (no wildcards)');
export const streamName: Check = (v) =>
  typeof v === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(v)
    ? ok(v)
    : bad('1-64 characters of A-Z a-z 0-9 _ -');
