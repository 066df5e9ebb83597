/**
 * @module
 * Checks one message from the stream before it may reach the store: its
 * size, that it is JSON, that it is an event of the one schema
 * (src/events/catalog.ts: types, no extra fields, bounded strings), and that
 * the sensor it names is the sensor of its subject: the subject is what the
 * broker's per-sensor permissions vouch for, so a sensor cannot write
 * events in another's name.
 *
 * Must never throw: any payload gives an event or a reason.
 */
import { isSensorId, validateEvent, type SnareEvent } from '../events/catalog.js';

/** Largest message accepted (bytes); a sensor's event line is a few kilobytes. */
export const MAX_MESSAGE_BYTES = 512 * 1024;

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
  const sensor = sensorOfSubject(subject, prefix);
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
