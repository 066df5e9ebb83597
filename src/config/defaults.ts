/**
 * @module
 * Defaults, taken from the schema, and the assembly of a flat map of dotted
 * keys into the nested SensorConfig. The defaults are safe for `npm start`
 * on a workstation: loopback listeners only, files under `var/`.
 */
import { CONFIG_KEYS } from './schema.js';
import type { SensorConfig } from './types.js';

/** Every key's default, by dotted key (fresh copies: callers may mutate). */
export function defaultValues(): Map<string, unknown> {
  return new Map(CONFIG_KEYS.map((k) => [k.key, structuredClone(k.default)]));
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}

/** Nests dotted keys (`limits.max_headers`) into objects and freezes the result. */
export function assembleConfig(flat: ReadonlyMap<string, unknown>): SensorConfig {
  const root: Record<string, unknown> = {};
  for (const [key, value] of flat) {
    const parts = key.split('.');
    let node = root;
    for (const p of parts.slice(0, -1)) {
      const next = (node[p] ??= {}) as Record<string, unknown>;
      node = next;
    }
    node[parts[parts.length - 1] ?? key] = value;
  }
  return deepFreeze(root) as unknown as SensorConfig;
}

/** The configuration with no file, no environment and no flags. */
export function defaultConfig(): SensorConfig {
  return assembleConfig(defaultValues());
}
