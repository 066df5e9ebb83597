/**
 * @module
 * Loads the sensor configuration in layers: defaults < the command's own
 * defaults < YAML file < environment (`SIPSNARE_<SECTION>_<KEY>`) <
 * command-line flags. Validates
 * once, against schema.ts, with errors that name the key and the bad value;
 * unknown keys are errors so a typo cannot silently keep a default. Returns a
 * frozen SensorConfig. Relative paths stay relative to the working directory.
 */
import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { SnareError } from '../errors.js';
import { assembleConfig, defaultValues } from './defaults.js';
import { CONFIG_KEYS, envName, keySpec, type KeySpec } from './schema.js';
import type { SensorConfig } from './types.js';

/** Largest configuration file read. */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
/** Largest wordlist file read. */
export const MAX_WORDLIST_BYTES = 1024 * 1024;
/** Most passwords kept from a wordlist file. */
export const MAX_WORDLIST_ENTRIES = 100000;

export interface LoadOptions {
  /** YAML file; omitted or null: defaults only. */
  readonly file?: string | null;
  /** Environment to read `SIPSNARE_*` variables from (process.env in the CLI). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Values from command-line flags, by dotted key (`listen`, `events.jsonl`, `sensor_id`). */
  readonly flags?: Readonly<Record<string, unknown>>;
  /** A command's own defaults, by dotted key, over the schema's and under everything else. */
  readonly defaults?: Readonly<Record<string, unknown>>;
}

function configError(message: string, cause?: unknown): SnareError {
  return new SnareError(
    'SNARE_ERR_CONFIG',
    `config: ${message}`,
    cause === undefined ? undefined : { cause },
  );
}

function shown(v: unknown): string {
  let s: string;
  try {
    s = v === undefined ? 'nothing' : JSON.stringify(v);
  } catch {
    s = String(v);
  }
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}

function apply(flat: Map<string, unknown>, spec: KeySpec, value: unknown, origin: string): void {
  const r = spec.check(value);
  if (!r.ok) throw configError(`${spec.key}: expected ${r.expected}, got ${shown(value)}${origin}`);
  flat.set(spec.key, r.value);
}

/** Walks the parsed YAML document, applying every leaf; unknown keys are errors. */
function applyDocument(flat: Map<string, unknown>, doc: unknown, prefix: string): void {
  if (doc === null || doc === undefined) return;
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw configError(
      `${prefix === '' ? '(top level)' : prefix.slice(0, -1)}: expected a mapping, got ${shown(doc)}`,
    );
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    const key = prefix + k;
    const spec = keySpec(key);
    if (spec) apply(flat, spec, v, '');
    else if (CONFIG_KEYS.some((s) => s.key.startsWith(key + '.')))
      applyDocument(flat, v, key + '.');
    else throw configError(`unknown key "${shown(key).slice(1, -1)}"`);
  }
}

function envValue(spec: KeySpec, raw: string): unknown {
  switch (spec.env) {
    case 'text':
      return raw;
    case 'list':
      return raw.trim().startsWith('[')
        ? parseYaml(raw)
        : raw
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s !== '');
    case 'yaml':
      return parseYaml(raw) as unknown;
  }
}

/** Reads a wordlist file: one password per line, bounded in size and count. */
export function readWordlist(path: string): string[] {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    throw configError(`credentials.wordlist: cannot read ${shown(path)}`, err);
  }
  if (size > MAX_WORDLIST_BYTES)
    throw configError(
      `credentials.wordlist: expected a file of at most ${MAX_WORDLIST_BYTES} bytes, got ${size} bytes`,
    );
  const words: string[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const w = line.replace(/\r$/, '');
    if (w === '' || w.length > 128) continue;
    words.push(w);
    if (words.length >= MAX_WORDLIST_ENTRIES) break;
  }
  return words;
}

function isLoopback(hostPort: string): boolean {
  return /^(?:127\.\d+\.\d+\.\d+|\[::1\]|localhost):/.test(hostPort);
}

/** Loads, validates and freezes the configuration. Throws SnareError (SNARE_ERR_CONFIG). */
export function loadConfig(opts: LoadOptions = {}): SensorConfig {
  const flat = defaultValues();
  for (const [key, value] of Object.entries(opts.defaults ?? {})) {
    const spec = keySpec(key);
    if (!spec) throw configError(`unknown key "${key}"`);
    apply(flat, spec, value, ' (the command default)');
  }
  if (opts.file != null) {
    let text: string;
    try {
      if (statSync(opts.file).size > MAX_CONFIG_BYTES)
        throw configError(`${opts.file}: larger than ${MAX_CONFIG_BYTES} bytes`);
      text = readFileSync(opts.file, 'utf8');
    } catch (err) {
      if (err instanceof SnareError) throw err;
      throw configError(`cannot read ${opts.file}: ${(err as Error).message}`, err);
    }
    let doc: unknown;
    try {
      doc = parseYaml(text);
    } catch (err) {
      throw configError(
        `${opts.file}: invalid YAML: ${(err as Error).message.split('\n')[0] ?? ''}`,
        err,
      );
    }
    applyDocument(flat, doc, '');
  }
  const env = opts.env ?? {};
  for (const spec of CONFIG_KEYS) {
    const name = envName(spec.key);
    const raw = env[name];
    if (raw === undefined) continue;
    let value: unknown;
    try {
      value = envValue(spec, raw);
    } catch {
      throw configError(`${spec.key}: expected a YAML value, got ${shown(raw)} (from ${name})`);
    }
    apply(flat, spec, value, ` (from ${name})`);
  }
  for (const [key, value] of Object.entries(opts.flags ?? {})) {
    if (value === undefined) continue;
    const spec = keySpec(key);
    if (!spec) throw configError(`unknown key "${key}"`);
    apply(flat, spec, value, ' (from the command line)');
  }
  const wl = flat.get('credentials.wordlist');
  if (typeof wl === 'string') flat.set('credentials.wordlist', readWordlist(wl));
  if ((flat.get('tls.cert_file') === null) !== (flat.get('tls.key_file') === null))
    throw configError('tls.cert_file and tls.key_file: set both (your certificate) or neither');
  const http = flat.get('http.listen');
  if (typeof http === 'string' && !isLoopback(http) && flat.get('http.token') === null)
    throw configError(`http.token: required when http.listen (${http}) is not a loopback address`);
  return assembleConfig(flat);
}
