/**
 * @module
 * The event schema: every event type sipsnare records and every field an
 * event carries, in one place. The JSON lines, the store's `events` table, the
 * API and the exports all use these names. `docs/events.md` documents each
 * type and field; test/conformance/events-doc.test.ts keeps the two in step.
 *
 * Every event carries every field; a field that does not apply is `null`.
 * A flat record keeps JSON lines, SQL columns and CSV exports identical.
 */
import { isIP } from 'node:net';

/** Event types, dotted and noun-first. */
export const EVENT_TYPES = [
  'sip.request',
  'sip.response',
  'sip.malformed',
  'sensor.rate_limited',
  'sensor.dropped',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const TRANSPORTS = ['udp', 'tcp', 'tls'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** Where a recovered plaintext password guess came from. */
export const GUESS_SOURCES = ['sipvicious_tag', 'wordlist', 'configured'] as const;
export type GuessSource = (typeof GUESS_SOURCES)[number];

type FieldKind = 'string' | 'int' | 'bool' | 'timestamp';

interface FieldSpec {
  readonly kind: FieldKind;
  /** `true`: the field may be null (it does not apply, or the input lacked it). */
  readonly nullable: boolean;
  /** Allowed values of a string field, when closed. */
  readonly values?: readonly string[];
  /** A string field that must hold an IP address (IPv4 or IPv6 text) when it comes from JSON lines. */
  readonly ip?: true;
  /** One line for docs/events.md. */
  readonly doc: string;
}

/**
 * Every field, in the order they are written. Shared fields first, then the
 * SIP fields, then fields specific to one event type.
 */
export const FIELDS = {
  event: { kind: 'string', nullable: false, values: EVENT_TYPES, doc: 'Event type.' },
  event_id: {
    kind: 'string',
    nullable: false,
    doc: 'Unique, time-ordered id (UUID version 7 for live events; for imported records a stable key of the file and the record number). The idempotency key.',
  },
  ts: {
    kind: 'timestamp',
    nullable: false,
    doc: 'When the message arrived: ISO 8601 UTC with milliseconds.',
  },
  sensor: {
    kind: 'string',
    nullable: false,
    doc: 'Sensor id (config `sensor_id`, or `--sensor-id` at import).',
  },
  transport: {
    kind: 'string',
    nullable: true,
    values: TRANSPORTS,
    doc: 'udp, tcp or tls; null for imported records whose format does not say.',
  },
  src_ip: {
    kind: 'string',
    nullable: false,
    ip: true,
    doc: 'Source address as received (IPv4 or IPv6 text; the Honeynet reader keeps its masked addresses as published).',
  },
  src_port: { kind: 'int', nullable: true, doc: 'Source port; null when the input lacks it.' },
  dst_ip: {
    kind: 'string',
    nullable: true,
    ip: true,
    doc: 'Local address the message reached; null when unknown.',
  },
  dst_port: {
    kind: 'int',
    nullable: true,
    doc: 'Local port the message reached; null when unknown.',
  },
  size: { kind: 'int', nullable: true, doc: 'Bytes of the message (or of the malformed input).' },
  method: {
    kind: 'string',
    nullable: true,
    doc: 'Request method; for sip.response the method of its CSeq.',
  },
  ruri: { kind: 'string', nullable: true, doc: 'Request-URI as sent.' },
  ruri_user: {
    kind: 'string',
    nullable: true,
    doc: 'User part of the Request-URI (tel: number for tel URIs).',
  },
  from_user: { kind: 'string', nullable: true, doc: 'User part of the From URI.' },
  from_display: { kind: 'string', nullable: true, doc: 'Display name of From, unquoted.' },
  from_tag: { kind: 'string', nullable: true, doc: 'The tag parameter of From.' },
  to_user: { kind: 'string', nullable: true, doc: 'User part of the To URI.' },
  call_id: { kind: 'string', nullable: true, doc: 'Call-ID header.' },
  cseq: { kind: 'int', nullable: true, doc: 'CSeq sequence number.' },
  user_agent: {
    kind: 'string',
    nullable: true,
    doc: 'User-Agent header as sent; null when absent.',
  },
  status: { kind: 'int', nullable: true, doc: 'sip.response only: the status code received.' },
  response: {
    kind: 'int',
    nullable: true,
    doc: 'Final status code the sensor sent (the last one, after any 100 Trying); null when it stayed silent. Imported captures: the answer the capture holds.',
  },
  auth_user: { kind: 'string', nullable: true, doc: 'Digest username of an Authorization header.' },
  auth_realm: { kind: 'string', nullable: true, doc: 'Digest realm of an Authorization header.' },
  auth_ok: {
    kind: 'bool',
    nullable: true,
    doc: 'Digest checked against the configured password: true when right, false when wrong; null when no Authorization or unknown user. Imported captures: true on a 2xx answer, false on 401/403/407.',
  },
  password_guess: {
    kind: 'string',
    nullable: true,
    doc: 'Plaintext password the attacker tried, when it could be recovered.',
  },
  guess_source: {
    kind: 'string',
    nullable: true,
    values: GUESS_SOURCES,
    doc: 'How password_guess was recovered: sipvicious_tag (hex From tag), wordlist (digest matched a wordlist entry), configured (digest matched the extension password: a successful crack).',
  },
  dialed: {
    kind: 'string',
    nullable: true,
    doc: 'INVITE only: the number as dialed (Request-URI user).',
  },
  reason: {
    kind: 'string',
    nullable: true,
    doc: 'sip.malformed: why the input was rejected (snake_case), or `internal_error` when sipsnare failed on it (a bug, not attacker data); sensor.rate_limited: which budget was hit; sensor.dropped: where the loss happened.',
  },
  excerpt: {
    kind: 'string',
    nullable: true,
    doc: 'sip.malformed: the first bytes of the input (at most 256), non-printable bytes escaped as \\xNN.',
  },
  dropped: {
    kind: 'int',
    nullable: true,
    doc: 'sensor.rate_limited: messages left unanswered since the last such event for this source; sensor.dropped: datagrams or lines lost in the period.',
  },
  period_ms: {
    kind: 'int',
    nullable: true,
    doc: 'sensor.dropped: the milliseconds the count covers, ending at `ts` (since the previous report of the same loss, or since start).',
  },
} as const satisfies Record<string, FieldSpec>;

export type FieldName = keyof typeof FIELDS;
export const FIELD_NAMES = Object.keys(FIELDS) as FieldName[];

type KindType<K extends FieldKind> = K extends 'int' ? number : K extends 'bool' ? boolean : string;

type ValueOf<F> = F extends { values: readonly (infer V)[] }
  ? V
  : F extends { kind: infer K extends FieldKind }
    ? KindType<K>
    : never;

type FieldValue<F> = F extends { nullable: true } ? ValueOf<F> | null : ValueOf<F>;

/** One event, as written to the JSON lines and stored in the `events` table. */
export type SnareEvent = { -readonly [N in FieldName]: FieldValue<(typeof FIELDS)[N]> };

/** The fields an emitter sets: the rest default to null. */
export type EventInit = Pick<SnareEvent, 'event' | 'src_ip' | 'transport'> &
  Partial<Omit<SnareEvent, 'event' | 'src_ip' | 'transport' | 'event_id' | 'ts' | 'sensor'>>;

/** The identity every event has, whatever produced it. */
export interface EventIdentity {
  readonly event: EventType;
  readonly event_id: string;
  readonly ts: string;
  readonly sensor: string;
  readonly transport: Transport | null;
  readonly src_ip: string;
  readonly src_port: number | null;
  readonly dst_ip: string | null;
  readonly dst_port: number | null;
}

/**
 * An event from its identity and the fields known (absent ones null), built
 * as one object literal in FIELDS order: one hidden class, no spreads (a
 * spread of a whole event made V8 copy it field by field, slowly, and could
 * leave it a dictionary). The hot path of the sensor and of the importers;
 * event-log.test.ts checks it against the schema.
 */
export function eventOf(id: EventIdentity, f: Partial<SnareEvent>): SnareEvent {
  return {
    event: id.event,
    event_id: id.event_id,
    ts: id.ts,
    sensor: id.sensor,
    transport: id.transport,
    src_ip: id.src_ip,
    src_port: id.src_port,
    dst_ip: id.dst_ip,
    dst_port: id.dst_port,
    size: f.size ?? null,
    method: f.method ?? null,
    ruri: f.ruri ?? null,
    ruri_user: f.ruri_user ?? null,
    from_user: f.from_user ?? null,
    from_display: f.from_display ?? null,
    from_tag: f.from_tag ?? null,
    to_user: f.to_user ?? null,
    call_id: f.call_id ?? null,
    cseq: f.cseq ?? null,
    user_agent: f.user_agent ?? null,
    status: f.status ?? null,
    response: f.response ?? null,
    auth_user: f.auth_user ?? null,
    auth_realm: f.auth_realm ?? null,
    auth_ok: f.auth_ok ?? null,
    password_guess: f.password_guess ?? null,
    guess_source: f.guess_source ?? null,
    dialed: f.dialed ?? null,
    reason: f.reason ?? null,
    excerpt: f.excerpt ?? null,
    dropped: f.dropped ?? null,
    period_ms: f.period_ms ?? null,
  };
}

/**
 * `reason` of a sip.malformed event recorded because sipsnare itself failed
 * on the input (a bug, logged as such), not because of what the input was.
 */
export const INTERNAL_ERROR = 'internal_error';

/**
 * The one rule for a sensor id (the `sensor` field): 1-64 characters of
 * A-Z a-z 0-9 . _ -, so it is safe as a file name, a NATS subject token and
 * a label anywhere. The configuration's `sensor_id`, `ingest --sensor-id`
 * and the collector's subjects all check it here.
 */
export const SENSOR_ID_RULE = '1-64 characters of A-Z a-z 0-9 . _ -';
const SENSOR_ID_RE = /^[A-Za-z0-9._-]{1,64}$/;

/** Whether `text` is a sensor id by {@link SENSOR_ID_RULE}. */
export function isSensorId(text: string): boolean {
  return SENSOR_ID_RE.test(text);
}

/** A record with every field null: the base every event is built on. */
export function emptyEvent(): SnareEvent {
  const ev: Record<string, unknown> = {};
  for (const name of FIELD_NAMES) ev[name] = null;
  return ev as SnareEvent;
}

/**
 * Longest string any field may hold (characters). A sensor never records a
 * longer one (a message is at most 65,535 bytes); a longer one is forged.
 */
export const MAX_FIELD_CHARS = 65_536;

/**
 * Checks an unknown value (a parsed JSON line from any sensor) against the
 * schema. Returns the typed event (the same object, absent fields set to
 * null) or a message naming the first bad field. Unknown keys are rejected
 * so a typo cannot hide data; strings longer than MAX_FIELD_CHARS too.
 */
export function validateEvent(
  value: unknown,
): { ok: true; event: SnareEvent } | { ok: false; error: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: 'not a JSON object' };
  }
  const rec = value as Record<string, unknown>;
  for (const key of Object.keys(rec)) {
    // Own keys only: `toString` or `__proto__` are no fields. The key is attacker
    // text: quoted and escaped, so it cannot break a line of output.
    if (!Object.hasOwn(FIELDS, key))
      return { ok: false, error: `unknown field ${JSON.stringify(key.slice(0, 40))}` };
  }
  // Checked and completed in place (absent fields become null): the import's hot path.
  const out = rec;
  for (const name of FIELD_NAMES) {
    const spec: FieldSpec = FIELDS[name];
    const v = rec[name];
    if (v === undefined || v === null) {
      if (!spec.nullable) return { ok: false, error: `field "${name}" is required` };
      out[name] = null;
      continue;
    }
    switch (spec.kind) {
      case 'int':
        if (typeof v !== 'number' || !Number.isInteger(v))
          return { ok: false, error: `field "${name}" must be an integer` };
        break;
      case 'bool':
        if (typeof v !== 'boolean')
          return { ok: false, error: `field "${name}" must be a boolean` };
        break;
      case 'string':
        if (typeof v !== 'string') return { ok: false, error: `field "${name}" must be a string` };
        if (v.length > MAX_FIELD_CHARS)
          return {
            ok: false,
            error: `field "${name}" is longer than ${MAX_FIELD_CHARS} characters`,
          };
        if (spec.values && !spec.values.includes(v))
          return { ok: false, error: `field "${name}" has an unknown value` };
        if (spec.ip === true && isIP(v) === 0)
          return { ok: false, error: `field "${name}" must be an IP address` };
        break;
      case 'timestamp':
        if (typeof v !== 'string' || v.length > 64 || Number.isNaN(Date.parse(v)))
          return { ok: false, error: `field "${name}" must be an ISO 8601 time` };
        break;
    }
  }
  return { ok: true, event: out as SnareEvent };
}
