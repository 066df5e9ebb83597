/**
 * @module
 * Runs the headless softphone baresip (Debian's baresip-core) once, with
 * one account on the sensor, its own config dir and local port; it quits
 * by itself after 5 seconds.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, runTool } from './sensor-process.js';

/** Runs baresip once with one account; returns what it printed. */
export async function baresip(
  sensorPort: number,
  transport: 'udp' | 'tcp',
  password: string,
  dial: string | null,
): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'snare-baresip-'));
  try {
    const local = await freePort();
    writeFileSync(
      join(dir, 'config'),
      [
        'poll_method epoll',
        `sip_listen 127.0.0.1:${local}`,
        'module_path /usr/lib/baresip/modules',
        'module g711.so',
        'module ausine.so',
        'module aufile.so',
        'module_app account.so',
        'module_app menu.so',
        'audio_source ausine,440',
        `audio_player aufile,${join(dir, 'out.wav')}`,
        `audio_alert aufile,${join(dir, 'out.wav')}`,
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'accounts'),
      `<sip:100@127.0.0.1:${sensorPort};transport=${transport}>;auth_pass=${password};regint=600\n`,
    );
    const args = ['-f', dir, '-t', '5'];
    if (dial !== null) args.push('-e', `/dial sip:${dial}@127.0.0.1:${sensorPort}`);
    const r = runTool('baresip', args, 30000);
    assert.equal(r.status, 0, r.out);
    return r.out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
