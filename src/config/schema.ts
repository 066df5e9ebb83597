/**
 * @module
 * The one typed description of every configuration key: its YAML path, type,
 * default, environment variable and one-line doc. load.ts validates against
 * it, defaults.ts builds the defaults from it, docs/config.md is generated
 * from it (scripts/gen-config-docs.ts). Pure: reads no file, no environment.
 */
import { isSensorId, SENSOR_ID_RULE } from '../events/catalog.js';
import { PERSONA_PRESETS } from './types.js';
import { parseListenUrl } from './listen-url.js';

/** A check returns the normalised value, or what was expected. */
export type CheckResult = { ok: true; value: unknown } | { ok: false; expected: string };
export type Check = (v: unknown) => CheckResult;

/** How an environment variable's text becomes a value: as is, a YAML value, or a comma list. */
export type EnvSyntax = 'text' | 'yaml' | 'list';

export interface KeySpec {
  /** Dotted YAML path, e.g. `limits.tcp_max_connections`. */
  readonly key: string;
  /** Type as shown in docs/config.md. */
  readonly type: string;
  readonly default: unknown;
  readonly doc: string;
  readonly env: EnvSyntax;
  readonly check: Check;
}

const MAX_TEXT = 1024;
const ok = (value: unknown): CheckResult => ({ ok: true, value });
const bad = (expected: string): CheckResult => ({ ok: false, expected });

const text: Check = (v) =>
  typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT
    ? ok(v)
    : bad(`a non-empty string of at most ${MAX_TEXT} characters`);
const nullableText: Check = (v) => (v === null ? ok(null) : text(v));
const sensorId: Check = (v) =>
  typeof v === 'string' && isSensorId(v) ? ok(v) : bad(SENSOR_ID_RULE);
const bool: Check = (v) => (typeof v === 'boolean' ? ok(v) : bad('true or false'));

function intIn(min: number, max: number, what: string): Check {
  return (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? ok(v) : bad(what);
}
const positive = intIn(1, Number.MAX_SAFE_INTEGER, 'a positive integer');
/** The sensor never accepts a call (no media), so a dial answer is never 2xx. */
const finalStatus = intIn(
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

const listenList: Check = (v) => {
  if (!Array.isArray(v) || v.length === 0 || v.length > 32)
    return bad('a list of 1-32 listener URLs');
  for (const u of v) {
    if (typeof u !== 'string') return bad('a list of listener URLs (strings)');
    const r = parseListenUrl(u);
    if (!r.ok) return bad(`listener URLs: ${r.error}`);
  }
  return ok([...(v as string[])]);
};

const preset: Check = (v) =>
  typeof v === 'string' && (PERSONA_PRESETS as readonly string[]).includes(v)
    ? ok(v)
    : bad(`one of ${PERSONA_PRESETS.join(', ')}`);

const EXTENSION_RE = /^[A-Za-z0-9_.+*#-]{1,32}$/;
const asText = (v: unknown): string | null =>
  typeof v === 'string' ? v : typeof v === 'number' && Number.isInteger(v) ? String(v) : null;

const extensions: Check = (v) => {
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

const dialRules: Check = (v) => {
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
const wordlist: Check = (v) => {
  if (typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT) return ok(v);
  if (!Array.isArray(v) || v.length > 100000) return bad('a list of passwords or a file path');
  for (const w of v)
    if (typeof w !== 'string' || w.length > 128)
      return bad('passwords that are strings of at most 128 characters');
  return ok([...(v as string[])]);
};

const hostPort: Check = (v) =>
  typeof v === 'string' && /^(?:\[[0-9a-fA-F:.]+\]|[0-9.]+|localhost):\d{1,5}$/.test(v)
    ? ok(v)
    : bad('HOST:PORT with a literal address ([::1]:8080 for IPv6)');

/** A NATS server URL: nats:// or tls://, a host (name or literal) and an optional port. */
const NATS_URL_RE = /^(?:nats|tls):\/\/(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]{1,253})(?::\d{1,5})?$/;
const natsServers: Check = (v) => {
  if (!Array.isArray(v) || v.length > 32) return bad('a list of at most 32 NATS server URLs');
  for (const u of v)
    if (typeof u !== 'string' || !NATS_URL_RE.test(u))
      return bad('NATS server URLs such as nats://10.0.0.5:4222 or tls://nats.example.net:4222');
  return ok([...(v as string[])]);
};
/** A NATS subject prefix: dot-separated tokens, no wildcards. */
const subjectPrefix: Check = (v) =>
  typeof v === 'string' && /^[A-Za-z0-9_-]{1,64}(?:\.[A-Za-z0-9_-]{1,64}){0,7}$/.test(v)
    ? ok(v)
    : bad('dot-separated tokens of A-Z a-z 0-9 _ - (no wildcards)');
const streamName: Check = (v) =>
  typeof v === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(v)
    ? ok(v)
    : bad('1-64 characters of A-Z a-z 0-9 _ -');

const MIB = 1024 * 1024;

/** Every key, in the order of docs/config.md. */
export const CONFIG_KEYS: readonly KeySpec[] = [
  {
    key: 'sensor_id',
    type: 'string',
    default: 'sipsnare',
    env: 'text',
    check: sensorId,
    doc: 'Sensor id written into every event (`sensor` field).',
  },
  {
    key: 'listen',
    type: 'list of URLs',
    default: ['udp://127.0.0.1:5060', 'tcp://127.0.0.1:5060'],
    env: 'list',
    check: listenList,
    doc: 'Listeners: `udp://`, `tcp://` or `tls://` + literal address + port; IPv6 in brackets. Use 0.0.0.0 / [::] to face the Internet.',
  },
  {
    key: 'tls.cert_file',
    type: 'path or null',
    default: null,
    env: 'yaml',
    check: nullableText,
    doc: 'Certificate (PEM) of the `tls://` listeners; set with `tls.key_file`. null: a self-signed one is made at the first start, `sipsnare-cert.pem` and `sipsnare-key.pem` in `tls/` beside the events directory (`var/tls/` on defaults), and reused.',
  },
  {
    key: 'tls.key_file',
    type: 'path or null',
    default: null,
    env: 'yaml',
    check: nullableText,
    doc: 'Private key (PEM) of `tls.cert_file`.',
  },
  {
    key: 'events.jsonl',
    type: 'path or null',
    default: 'var/events',
    env: 'yaml',
    check: nullableText,
    doc: 'Directory of JSON-lines event files (`events-YYYY-MM-DD.jsonl`); null disables them.',
  },
  {
    key: 'events.legacy_log',
    type: 'path or null',
    default: null,
    env: 'yaml',
    check: nullableText,
    doc: "File for the article's Figure 1 log format; null disables it.",
  },
  {
    key: 'events.rotate_bytes',
    type: 'integer',
    default: 256 * MIB,
    env: 'yaml',
    check: positive,
    doc: 'Start a new numbered event file when the current one would pass this size (files also change at UTC midnight).',
  },
  {
    key: 'persona.preset',
    type: 'string',
    default: 'chan_sip_leaky',
    env: 'text',
    check: preset,
    doc: `Asterisk generation to imitate: ${PERSONA_PRESETS.join(', ')}.`,
  },
  {
    key: 'persona.server',
    type: 'string',
    default: 'Asterisk PBX 1.6.2.9',
    env: 'text',
    check: text,
    doc: 'Server / User-Agent header value (what svmap reports).',
  },
  {
    key: 'persona.realm',
    type: 'string',
    default: 'asterisk',
    env: 'text',
    check: text,
    doc: 'Digest realm of the authentication challenges.',
  },
  {
    key: 'persona.always_auth_reject',
    type: 'boolean',
    default: false,
    env: 'yaml',
    check: bool,
    doc: 'true: unknown users get the same answers as known ones (Asterisk alwaysauthreject=yes); false: 404 for unknown users, so enumeration works.',
  },
  {
    key: 'extensions',
    type: 'list of { number, password }',
    default: [
      { number: '100', password: '100' },
      { number: '101', password: '1234' },
      { number: '200', password: null },
    ],
    env: 'yaml',
    check: extensions,
    doc: 'Extensions that exist; weak passwords let brute force succeed; password null registers without one.',
  },
  {
    key: 'dial.default',
    type: 'integer',
    default: 486,
    env: 'yaml',
    check: finalStatus,
    doc: 'Final response to an authenticated INVITE no rule matches (486 Busy Here, like the article).',
  },
  {
    key: 'dial.rules',
    type: 'list of { pattern, response }',
    default: [],
    env: 'yaml',
    check: dialRules,
    doc: 'First rule whose regular expression matches the dialed number gives the answer: a final status, or 180/183 to ring (see dial.ring_seconds) until the caller cancels (2xx is never sent: it becomes 486).',
  },
  {
    key: 'dial.ring_seconds',
    type: 'integer',
    default: 15,
    env: 'yaml',
    check: intIn(0, 3600, 'an integer from 0 to 3600'),
    doc: 'Seconds a ringing INVITE (180/183 rule) rings before it gets 486 Busy Here, as the dial plan Ringing(), Wait(15), Busy() of an Asterisk answers; 0 rings until the caller cancels.',
  },
  {
    key: 'credentials.wordlist',
    type: 'list of strings or path',
    default: [
      '123456',
      '1234',
      '12345',
      'password',
      'admin',
      'secret',
      '100',
      '101',
      '1000',
      'qwerty',
      'qwerty12',
      'letmein',
      'test',
      'pass',
    ],
    env: 'yaml',
    check: wordlist,
    doc: 'Passwords tried against digest responses to recover the plaintext guess; a string is a file with one password per line (at most 1 MiB).',
  },
  {
    key: 'limits.max_message_bytes',
    type: 'integer',
    default: 16384,
    env: 'yaml',
    check: intIn(512, 65535, 'an integer from 512 to 65535'),
    doc: 'Largest message accepted: bigger datagrams, and TCP streams that buffer more without a complete message, become sip.malformed (TCP: connection closed).',
  },
  {
    key: 'limits.max_headers',
    type: 'integer',
    default: 128,
    env: 'yaml',
    check: intIn(8, 1024, 'an integer from 8 to 1024'),
    doc: 'Most header lines in one message; more is sip.malformed.',
  },
  {
    key: 'limits.tcp_max_connections',
    type: 'integer',
    default: 1024,
    env: 'yaml',
    check: positive,
    doc: 'Open TCP/TLS connections in total; beyond it new ones are closed at once.',
  },
  {
    key: 'limits.tcp_max_per_source',
    type: 'integer',
    default: 16,
    env: 'yaml',
    check: positive,
    doc: 'Open TCP/TLS connections per source address; beyond it new ones are closed at once.',
  },
  {
    key: 'limits.tcp_idle_timeout_ms',
    type: 'integer',
    default: 30000,
    env: 'yaml',
    check: positive,
    doc: 'A TCP/TLS connection silent this long is closed.',
  },
  {
    key: 'limits.tcp_header_timeout_ms',
    type: 'integer',
    default: 10000,
    env: 'yaml',
    check: positive,
    doc: 'A TCP/TLS message must have its whole header block within this of its first byte, else the connection is closed (a slow sender cannot hold a connection slot).',
  },
  {
    key: 'limits.tcp_min_bytes_per_s',
    type: 'integer',
    default: 128,
    env: 'yaml',
    check: positive,
    doc: 'Slowest a TCP/TLS message may arrive: from 2 s after its first byte, fewer bytes than this rate allows closes the connection; and once its headers are in, the rest must arrive within 1 s plus its length at this rate.',
  },
  {
    key: 'limits.responses_per_source_per_s',
    type: 'integer',
    default: 200,
    env: 'yaml',
    check: positive,
    doc: 'Responses per second one source address may receive (token bucket); beyond it messages are recorded but not answered.',
  },
  {
    key: 'limits.responses_per_source_burst',
    type: 'integer',
    default: 400,
    env: 'yaml',
    check: positive,
    doc: 'Burst size of the per-source bucket.',
  },
  {
    key: 'limits.responses_global_per_s',
    type: 'integer',
    default: 5000,
    env: 'yaml',
    check: positive,
    doc: 'Responses per second to all sources together; beyond it messages are recorded but not answered.',
  },
  {
    key: 'limits.max_tracked_sources',
    type: 'integer',
    default: 65536,
    env: 'yaml',
    check: positive,
    doc: 'Source addresses whose budgets are kept; the least recently seen is forgotten first.',
  },
  {
    key: 'limits.max_dialogs',
    type: 'integer',
    default: 10000,
    env: 'yaml',
    check: positive,
    doc: 'Pending INVITE retransmissions (and persona dialogs/nonces) kept at once; the oldest is dropped first.',
  },
  {
    key: 'ship.servers',
    type: 'list of URLs',
    default: [],
    env: 'list',
    check: natsServers,
    doc: 'NATS servers to ship events to (`nats://HOST:PORT`, `tls://HOST:PORT`); empty: no shipping. `sipsnare ship` and `sipsnare collect` read the connection keys below too.',
  },
  {
    key: 'ship.stream',
    type: 'string',
    default: 'SIPSNARE',
    env: 'text',
    check: streamName,
    doc: 'JetStream stream of the events; created when missing (subjects `<ship.subject_prefix>.>`, file storage).',
  },
  {
    key: 'ship.subject_prefix',
    type: 'string',
    default: 'sipsnare.events',
    env: 'text',
    check: subjectPrefix,
    doc: 'Events are published on `<prefix>.<sensor_id>`; the collector takes the sensor from the subject.',
  },
  {
    key: 'ship.replicas',
    type: 'integer',
    default: 1,
    env: 'yaml',
    check: intIn(1, 5, 'an integer from 1 to 5'),
    doc: 'Replicas of the stream when sipsnare creates it (3 on a 3-node cluster).',
  },
  {
    key: 'ship.user',
    type: 'string or null',
    default: null,
    env: 'yaml',
    check: nullableText,
    doc: 'User name for NATS user/password authentication.',
  },
  {
    key: 'ship.password',
    type: 'string or null',
    default: null,
    env: 'yaml',
    check: nullableText,
    doc: 'Password for NATS user/password authentication (prefer SIPSNARE_SHIP_PASSWORD to the file).',
  },
  {
    key: 'ship.token',
    type: 'string or null',
    default: null,
    env: 'yaml',
    check: nullableText,
    doc: 'NATS authentication token.',
  },
  {
    key: 'ship.nkey_seed_file',
    type: 'path or null',
    default: null,
    env: 'yaml',
    check: nullableText,
    doc: "File holding the NKey seed (`SU...`) of this sensor's NATS user.",
  },
  {
    key: 'ship.creds_file',
    type: 'path or null',
    default: null,
    env: 'yaml',
    check: nullableText,
    doc: 'NATS credentials file (JWT and NKey seed, decentralised authentication).',
  },
  {
    key: 'ship.tls.ca_file',
    type: 'path or null',
    default: null,
    env: 'yaml',
    check: nullableText,
    doc: "CA certificate (PEM) that signed the NATS servers' certificates; set: TLS is required.",
  },
  {
    key: 'ship.tls.cert_file',
    type: 'path or null',
    default: null,
    env: 'yaml',
    check: nullableText,
    doc: 'Client certificate (PEM), when the servers verify clients.',
  },
  {
    key: 'ship.tls.key_file',
    type: 'path or null',
    default: null,
    env: 'yaml',
    check: nullableText,
    doc: 'Key of the client certificate (PEM).',
  },
  {
    key: 'ship.position_file',
    type: 'path or null',
    default: null,
    env: 'yaml',
    check: nullableText,
    doc: 'Where the shipper keeps the position acknowledged by the broker; null: `.ship-position.json` in the event directory.',
  },
  {
    key: 'ship.max_in_flight',
    type: 'integer',
    default: 2000,
    env: 'yaml',
    check: intIn(1, 100000, 'an integer from 1 to 100000'),
    doc: 'Events published and not yet acknowledged at once.',
  },
  {
    key: 'ship.warn_backlog_bytes',
    type: 'integer',
    default: 1024 * MIB,
    env: 'yaml',
    check: positive,
    doc: 'Bytes of event files not yet shipped beyond which the shipper logs an error (once per crossing). sipsnare never deletes event files; whoever rotates them out should check this.',
  },
  {
    key: 'collect.durable',
    type: 'string',
    default: 'sipsnare-collector',
    env: 'text',
    check: streamName,
    doc: '`sipsnare collect`: name of its durable JetStream consumer (acknowledged position survives restarts).',
  },
  {
    key: 'collect.batch_events',
    type: 'integer',
    default: 10000,
    env: 'yaml',
    check: intIn(1, 1000000, 'an integer from 1 to 1000000'),
    doc: '`sipsnare collect`: events written to the store in one commit at most.',
  },
  {
    key: 'collect.batch_ms',
    type: 'integer',
    default: 500,
    env: 'yaml',
    check: intIn(10, 60000, 'an integer from 10 to 60000'),
    doc: '`sipsnare collect`: longest wait (ms) before a partial batch is committed.',
  },
  {
    key: 'collect.rejected_file',
    type: 'path or null',
    default: null,
    env: 'yaml',
    check: nullableText,
    doc: '`sipsnare collect`: JSON-lines file where rejected messages are kept (sensor, reason, payload); null: `<store>.rejected.jsonl`.',
  },
  {
    key: 'store.db',
    type: 'path or null',
    default: 'var/sipsnare.duckdb',
    env: 'yaml',
    check: nullableText,
    doc: 'Embedded DuckDB store the events are also written to; null: JSON lines only. The default is for `sipsnare run`; `sipsnare sensor` writes a store only when the file or the environment names one.',
  },
  {
    key: 'http.listen',
    type: 'HOST:PORT',
    default: '127.0.0.1:8080',
    env: 'text',
    check: hostPort,
    doc: 'Dashboard and API address (`sipsnare run`); loopback unless told otherwise.',
  },
  {
    key: 'http.token',
    type: 'string or null',
    default: null,
    env: 'yaml',
    check: nullableText,
    doc: 'Bearer token the dashboard requires; needed when http.listen is not loopback.',
  },
];

/** `SIPSNARE_LIMITS_TCP_MAX_CONNECTIONS` for `limits.tcp_max_connections`. */
export function envName(key: string): string {
  return 'SIPSNARE_' + key.replace(/\./g, '_').toUpperCase();
}

/** The spec of a dotted key, if it exists. */
export function keySpec(key: string): KeySpec | undefined {
  return CONFIG_KEYS.find((k) => k.key === key);
}
