/**
 * @module
 * The validated, frozen sensor configuration that the rest of the program
 * receives. The YAML layout, defaults and documentation live in schema.ts;
 * loading and validation in load.ts. Settings only: no sockets, no handles.
 */

/** Persona presets, after the Asterisk generations attackers meet. */
export const PERSONA_PRESETS = ['chan_sip_leaky', 'chan_sip', 'pjsip'] as const;
export type PersonaPreset = (typeof PERSONA_PRESETS)[number];

export interface ExtensionConfig {
  readonly number: string;
  /** null: registers and calls without a password. */
  readonly password: string | null;
}

export interface DialRule {
  /** Regular expression (JavaScript syntax) matched against the dialed string. */
  readonly pattern: string;
  /** Final response to an authenticated INVITE whose number matches. */
  readonly response: number;
}

export interface PersonaConfig {
  readonly preset: PersonaPreset;
  /** Server header value. */
  readonly server: string;
  readonly realm: string;
  /** true: unknown users get the same 401/403 as known ones. */
  readonly always_auth_reject: boolean;
}

export interface CredentialsConfig {
  /** Passwords tried against every digest response whose plaintext is unknown. */
  readonly wordlist: readonly string[];
}

export interface LimitsConfig {
  readonly max_message_bytes: number;
  readonly max_headers: number;
  readonly tcp_max_connections: number;
  readonly tcp_max_per_source: number;
  readonly tcp_idle_timeout_ms: number;
  readonly tcp_header_timeout_ms: number;
  readonly tcp_min_bytes_per_s: number;
  /** Token bucket per source address: sustained responses per second. */
  readonly responses_per_source_per_s: number;
  /** Token bucket per source address: burst size. */
  readonly responses_per_source_burst: number;
  /** All sources together: responses per second. */
  readonly responses_global_per_s: number;
  /** Sources whose budget and state are tracked; the least recently seen are forgotten first. */
  readonly max_tracked_sources: number;
  /** Dialogs, nonces and pending retransmissions kept at once. */
  readonly max_dialogs: number;
}

export interface EventsConfig {
  /** Directory of JSON-lines event files; null disables them. */
  readonly jsonl: string | null;
  /** Path of the legacy Figure 1 log; null disables it. */
  readonly legacy_log: string | null;
  /** Rotate at UTC midnight, and when a file reaches this size. */
  readonly rotate_bytes: number;
}

/** Shipping events to NATS JetStream (and the connection `collect` uses too). */
export interface ShipConfig {
  /** NATS server URLs; empty: no shipping. */
  readonly servers: readonly string[];
  readonly stream: string;
  /** Events go to `<subject_prefix>.<sensor_id>`. */
  readonly subject_prefix: string;
  readonly replicas: number;
  readonly user: string | null;
  readonly password: string | null;
  readonly token: string | null;
  readonly nkey_seed_file: string | null;
  readonly creds_file: string | null;
  readonly tls: {
    readonly ca_file: string | null;
    readonly cert_file: string | null;
    readonly key_file: string | null;
  };
  /** null: `.ship-position.json` in the event directory. */
  readonly position_file: string | null;
  readonly max_in_flight: number;
  /** Events packed into one message (1: one message per event, Nats-Msg-Id = event_id). */
  readonly events_per_message: number;
  readonly warn_backlog_bytes: number;
}

/** `sipsnare collect`. */
export interface CollectConfig {
  readonly durable: string;
  readonly batch_events: number;
  readonly batch_ms: number;
  /** null: `<store>.rejected.jsonl`. */
  readonly rejected_file: string | null;
}

export interface SensorConfig {
  readonly sensor_id: string;
  /** Listener URLs: udp://HOST:PORT, tcp://HOST:PORT, tls://HOST:PORT (IPv6 hosts in brackets). */
  readonly listen: readonly string[];
  /** The operator's certificate and key for tls:// listeners; both null: a self-signed pair. */
  readonly tls: { readonly cert_file: string | null; readonly key_file: string | null };
  readonly events: EventsConfig;
  readonly persona: PersonaConfig;
  readonly extensions: readonly ExtensionConfig[];
  readonly dial: {
    readonly default: number;
    readonly rules: readonly DialRule[];
    /** Seconds a ringing INVITE rings before 486; 0: until CANCEL. */
    readonly ring_seconds: number;
  };
  readonly credentials: CredentialsConfig;
  readonly limits: LimitsConfig;
  readonly ship: ShipConfig;
  readonly collect: CollectConfig;
  /** Embedded store the sensor writes into (batched); null: JSON lines only. */
  readonly store: { readonly db: string | null };
  /** Dashboard and API (`sipsnare run`); loopback unless told otherwise. */
  readonly http: { readonly listen: string; readonly token: string | null };
}
