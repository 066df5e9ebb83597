/**
 * @module
 * Prometheus metrics (prom-client) on a registry of the server's own: SIP
 * messages by method and transport, malformed inputs by reason, responses
 * sent by status, budget refusals, drops by where, the store writer's queue
 * and lag, and Node's process metrics (event-loop lag among them).
 *
 * Must keep label values bounded: methods outside the SIP set, and reasons
 * beyond the first MAX_LABELS seen, count as `other` (attackers choose
 * methods and provoke reasons).
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { SnareEvent } from '../events/catalog.js';

const METHODS = new Set([
  'REGISTER',
  'INVITE',
  'ACK',
  'BYE',
  'CANCEL',
  'OPTIONS',
  'SUBSCRIBE',
  'NOTIFY',
  'PUBLISH',
  'MESSAGE',
  'INFO',
  'PRACK',
  'UPDATE',
  'REFER',
]);
const MAX_LABELS = 64;

/** The state of the store's writer, when this process writes the store. */
export interface StoreStatus {
  /** Events waiting to be written. */
  readonly queued: number;
  /** Age in milliseconds of the oldest event still waiting (0 when none). */
  readonly lagMs: number;
  /** Events dropped because the queue was full. */
  readonly dropped: number;
}

/** Counters the process keeps elsewhere, read at scrape time: drop counts by where. */
export type DropSource = () => Readonly<Record<string, number>>;

export interface ServerMetrics {
  readonly registry: Registry;
  /** Counts one recorded event. */
  observe(ev: SnareEvent): void;
  /** Adds a source of drop counts (the sensor's, the store sink's...). */
  addDrops(source: DropSource): void;
  /** The store writer's state, read at scrape time. */
  setStoreStatus(status: () => StoreStatus): void;
}

class BoundedLabel {
  private readonly seen = new Set<string>();
  of(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= MAX_LABELS) return 'other';
    this.seen.add(value);
    return value;
  }
}

export function createMetrics(): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sipsnare_process_' });
  const messages = new Counter({
    name: 'sipsnare_messages_total',
    help: 'SIP requests recorded, by method and transport',
    labelNames: ['method', 'transport'] as const,
    registers: [registry],
  });
  const malformed = new Counter({
    name: 'sipsnare_malformed_total',
    help: 'Malformed inputs recorded, by reason',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const responses = new Counter({
    name: 'sipsnare_responses_total',
    help: 'Final responses the sensor sent, by status code',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const refusals = new Counter({
    name: 'sipsnare_budget_refusals_total',
    help: 'Messages left unanswered because a per-source response budget was spent, by budget',
    labelNames: ['budget'] as const,
    registers: [registry],
  });
  const drops: DropSource[] = [];
  new Gauge({
    name: 'sipsnare_dropped',
    help: 'Events or messages dropped since start, by where (counts kept by each part)',
    labelNames: ['where'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const src of drops) {
        for (const [where, n] of Object.entries(src())) this.set({ where }, n);
      }
    },
  });
  let storeStatus: (() => StoreStatus) | null = null;
  new Gauge({
    name: 'sipsnare_store_queue_length',
    help: 'Events waiting for the store writer',
    registers: [registry],
    collect() {
      if (storeStatus) this.set(storeStatus().queued);
    },
  });
  new Gauge({
    name: 'sipsnare_store_lag_seconds',
    help: 'Age of the oldest event waiting for the store writer',
    registers: [registry],
    collect() {
      if (storeStatus) this.set(storeStatus().lagMs / 1000);
    },
  });
  const reasons = new BoundedLabel();
  const budgets = new BoundedLabel();
  return {
    registry,
    observe(ev) {
      const transport = ev.transport ?? 'unknown';
      if (ev.event === 'sip.request') {
        const m = ev.method !== null && METHODS.has(ev.method) ? ev.method : 'other';
        messages.inc({ method: m, transport });
        if (ev.response !== null && ev.response >= 100 && ev.response < 700) {
          responses.inc({ status: String(ev.response) });
        }
      } else if (ev.event === 'sip.malformed') {
        malformed.inc({ reason: reasons.of(ev.reason ?? 'unknown') });
      } else if (ev.event === 'sensor.rate_limited') {
        refusals.inc({ budget: budgets.of(ev.reason ?? 'unknown') }, Math.max(1, ev.dropped ?? 1));
      }
    },
    addDrops(source) {
      drops.push(source);
    },
    setStoreStatus(status) {
      storeStatus = status;
    },
  };
}
