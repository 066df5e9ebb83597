/**
 * One rule for a sensor id (src/events/catalog.ts), and every place that
 * takes one from outside holds it: the configuration's `sensor_id`,
 * `ingest --sensor-id`, and the collector's subjects.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { command as ingest } from '../../src/cli/commands/ingest.js';
import { sensorOfSubject } from '../../src/collect/validate.js';
import { loadConfig } from '../../src/config/load.js';
import { isSensorId, SENSOR_ID_RULE } from '../../src/events/catalog.js';

const GOOD = ['hp01', 'a', 'sensor.eu-1_b', 'x'.repeat(64)];
const BAD = ['', 'x'.repeat(65), 'two words', 'a/b', 'a*', 'é', 'hp01\n'];

function configAccepts(id: string): boolean {
  try {
    return loadConfig({ flags: { sensor_id: id } }).sensor_id === id;
  } catch {
    return false;
  }
}

/** Whether `ingest --sensor-id ID` gets past its flags (it then fails on the missing store dir). */
async function ingestAccepts(id: string): Promise<boolean> {
  const quiet = new Writable({
    write: (_c, _e, cb) => {
      cb();
    },
  });
  try {
    await ingest.run(['--db', '/nonexistent-dir/x.duckdb', '--sensor-id', id, 'none'], {
      stdout: quiet,
      stderr: quiet,
      stopSignal: new AbortController().signal,
    });
  } catch (err) {
    return !(err instanceof Error && err.message.includes('--sensor-id'));
  }
  return true;
}

describe('the sensor id rule', () => {
  it(`is ${SENSOR_ID_RULE}, held alike by config, ingest --sensor-id and the collector`, async () => {
    for (const id of [...GOOD, ...BAD]) {
      const want = GOOD.includes(id);
      assert.equal(isSensorId(id), want, `catalogue: ${JSON.stringify(id)}`);
      assert.equal(configAccepts(id), want, `config sensor_id: ${JSON.stringify(id)}`);
      assert.equal(await ingestAccepts(id), want, `ingest --sensor-id: ${JSON.stringify(id)}`);
      const subject = sensorOfSubject(`sipsnare.events.${id}`, 'sipsnare.events');
      assert.equal(subject === id, want, `collector subject: ${JSON.stringify(id)}`);
    }
  });
});
