/**
 * @module
 * The simulator's internal records: actors (one source address each, with a
 * role and a user-agent habit), planned sessions, and the generated message
 * before it is written. Times are whole UTC seconds since the epoch, so the
 * legacy log (second resolution) and the JSON lines carry the same instants
 * and give the same truth.
 */
import type { SourceHost } from './ip-pool.js';
import type { DestNumber, DialShape } from './numbers.js';

/** Attack phases of the article (Making Sense of the Data). */
export const PHASES = ['scanning', 'enumeration', 'bruteforce', 'abuse'] as const;
export type Phase = (typeof PHASES)[number];

export const ROLES = ['scanner', 'enumerator', 'bruteforcer', 'caller', 'rogue'] as const;
export type Role = (typeof ROLES)[number];

/** How a source fills User-Agent: never, a fresh 20-character string per request, or one string. */
export type UaHabit =
  | { readonly kind: 'none' }
  | { readonly kind: 'random' }
  | { readonly kind: 'fixed'; readonly value: string };

/** Where a calling actor sends calls: regions with weights, and its number book. */
export interface CallTargets {
  readonly regions: readonly string[];
  readonly weights: readonly number[];
  /** Numbers this actor already called; reused so repeated calls happen. */
  readonly book: DestNumber[];
  /** Chance a call goes to a shared "famous" number. */
  readonly famousRate: number;
}

export interface Actor {
  readonly id: number;
  readonly host: SourceHost;
  readonly role: Role;
  readonly ua: UaHabit;
  /** Source port of its requests (5060 for many tools, else ephemeral). */
  readonly port: number;
  /** Scenario name for named actors ("table3-01", "pair-PS-IL"), else null. */
  readonly name: string | null;
  readonly targets: CallTargets | null;
}

export const SESSION_KINDS = ['scan', 'enum', 'brute', 'call'] as const;
export type SessionKind = (typeof SESSION_KINDS)[number];

/** A planned burst of activity of one actor. */
export interface SessionPlan {
  readonly start: number;
  readonly actor: Actor;
  readonly kind: SessionKind;
  /** Messages (scan, enum, brute) or calls (call). */
  readonly size: number;
  /** Sensor indexes this session reaches. */
  readonly sensors: readonly number[];
  /** Method used by an enumeration session. */
  readonly method: 'REGISTER' | 'INVITE' | 'OPTIONS';
}

export type Method = 'REGISTER' | 'INVITE' | 'OPTIONS';

/** One generated SIP request, as the honeypot would log it. */
export interface SimEvent {
  t: number;
  seq: number;
  sensor: number;
  actor: Actor;
  method: Method;
  from: string;
  to: string;
  resp: number;
  /** User-Agent as sent; null when absent. */
  ua: string | null;
  /** True when `ua` is one of the per-request random strings. */
  uaRandom: boolean;
  /** INVITE to an external number: the true number; else null. */
  dest: DestNumber | null;
  /** The dial shape of `to` beyond Figure 2's prefixes (numbers.ts), else null. */
  shape: DialShape | null;
  phase: Phase;
  authUser: string | null;
  password: string | null;
  authOk: boolean | null;
  callId: string;
  cseq: number;
}
