/**
 * @module
 * Checks one event from the stream before it may reach the store (a
 * message holds one, or several lines of one each: nats/message.ts): its
 * size, that it is JSON, that it is an event of the one schema
 * (src/events/catalog.ts: types, no extra fields, bounded strings), and that
 * the sensor it names is the sensor of its subject: the subject is what the
 * broker's per-sensor permissions vouch for, so a sensor cannot write
 * events in another's name.
 *
 * Must never throw: any payload gives an event or a reason.
 */
import { isSensorId, validateEvent, type SnareEvent } from '../events/catalog.js';
import { MAX_MESSAGE_BYTES } from '../nats/message.js';

/** Largest message accepted (bytes); a sensor's event line is a few kilobytes. */
export { MAX_MESSAGE_BYTES };

export type Checked =
  | { readonly ok: true; readonly event: SnareEvent }
  | { readonly ok: false; readonly reason: string };

/** The sensor a subject `<prefix>.<sensor>` names, or null when it has another shape. */
export function sensorOfSubject(subject: string, prefix: string): string | null {
  if (!subject.startsWith(prefix + '.')) return null;
  const rest = subject.slice(prefix.length + 1);
  return isSensorId(rest) ? rest : null;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

export function checkMessage(subject: string, payload: Uint8Array, prefix: string): Checked {
  return checkEvent(sensorOfSubject(subject, prefix), payload);
}

/** Checks one event's bytes, published on the subject of `sensor` (null: a subject of another shape). */
export function checkEvent(sensor: string | null, payload: Uint8Array): Checked {
  if (sensor === null) return { ok: false, reason: 'subject has no sensor' };
  if (payload.length > MAX_MESSAGE_BYTES)
    return { ok: false, reason: `larger than ${MAX_MESSAGE_BYTES} bytes` };
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(payload));
  } catch {
    return { ok: false, reason: 'not UTF-8 JSON' };
  }
  const r = validateEvent(value);
  if (!r.ok) return { ok: false, reason: r.error };
  if (r.event.sensor !== sensor)
    return { ok: false, reason: 'event sensor differs from the subject sensor' };
  return r;
}
