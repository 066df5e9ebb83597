/**
 * @module
 * The flags of the commands that run a sensor (`sensor`, `run`), turned
 * into a configuration: defaults < the command's own defaults < file <
 * environment < flags.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/load.js';
import type { SensorConfig } from '../config/types.js';
import { UsageError } from '../errors.js';

export interface ConfigArgs {
  /** Accept --listen, --events and --sensor-id (else only --config). */
  readonly sensorFlags: boolean;
  /** The command's defaults over the schema's, by dotted key (`store.db`). */
  readonly defaults?: Readonly<Record<string, unknown>>;
}

/** Parses the flags shared by `sensor` and `run` into a configuration. */
export function configFromArgs(argv: readonly string[], opts: ConfigArgs): SensorConfig {
  let values: {
    config?: string | undefined;
    listen?: string[] | undefined;
    events?: string | undefined;
    'sensor-id'?: string | undefined;
  };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string' },
        listen: { type: 'string', multiple: true },
        events: { type: 'string' },
        'sensor-id': { type: 'string' },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (!opts.sensorFlags && (values.listen ?? values.events ?? values['sensor-id']) !== undefined)
    throw new UsageError('only --config is accepted here; set listeners and events in the file');
  const flags: Record<string, unknown> = {};
  if (values.listen !== undefined) flags['listen'] = values.listen;
  if (values.events !== undefined) flags['events.jsonl'] = values.events;
  if (values['sensor-id'] !== undefined) flags['sensor_id'] = values['sensor-id'];
  return loadConfig({
    file: values.config ?? null,
    env: process.env,
    flags,
    defaults: opts.defaults ?? {},
  });
}
