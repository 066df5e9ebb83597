/**
 * Lines that never reach the disk are counted and recorded: a sensor writes
 * its JSON lines to a small tmpfs that is full, so lines wait and then are
 * dropped; once space returns, a sensor.dropped event (reason
 * event_lines) with their number is written, and every message sent is
 * either a line in the file or in that count. Needs root (to mount the
 * tmpfs); skipped otherwise, and says so.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeSync,
  openSync,
  closeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig } from '../config/load.js';
import type { SnareEvent } from '../events/catalog.js';
import { FanoutSink } from '../events/fanout.js';
import { JsonlSink } from '../events/jsonl.js';
import type { Persona } from './persona/types.js';
import { Sensor } from './sensor.js';
import { until } from '../testing/until.js';

const persona: Persona = {
  handle: (bytes) => ({
    event: 'sip.request',
    fields: {
      method: 'OPTIONS',
      call_id: /Call-ID: (\S+)/.exec(Buffer.from(bytes).toString('latin1'))?.[1] ?? null,
    },
    replies: [{ data: Buffer.from('SIP/2.0 200 OK\r\n\r\n'), status: 200 }],
    stopRetransmit: [],
  }),
};

/** Mounts a tmpfs of `kb` KiB on a fresh directory; null when not allowed. */
function smallDisk(kb: number): string | null {
  const dir = mkdtempSync(join(tmpdir(), 'snare-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kb}k`, 'tmpfs', dir], { stdio: 'ignore' });
    return dir;
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

/** Fills the file system of `dir` with one file; returns its path. */
function fill(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(4096, 0x78);
  try {
    for (;;) writeSync(fd, chunk);
  } catch {
    // ENOSPC: full
  } finally {
    closeSync(fd);
  }
  return path;
}

describe('a full disk', { timeout: 60000 }, () => {
  it('counts the lines it could not write and records them once space returns', async (t) => {
    const mnt = process.getuid?.() === 0 ? smallDisk(256) : null;
    if (mnt === null) {
      t.skip('needs root to mount a small tmpfs');
      return;
    }
    const dir = join(mnt, 'events');
    const sink = new JsonlSink({
      dir,
      rotateBytes: 1 << 30,
      flushIntervalMs: 10,
      maxPendingBytes: 32 * 1024,
    });
    const fanout = new FanoutSink([sink]);
    const config = loadConfig({ flags: { listen: ['udp://127.0.0.1:0'], 'store.db': null } });
    const sensor = await Sensor.start({ config, persona, sink: fanout, reportIntervalMs: 50 });
    const client = createSocket('udp4');
    try {
      const filler = fill(mnt);
      const sent = 600;
      const port = sensor.addresses[0]!.port;
      for (let i = 0; i < sent; i++) {
        client.send(
          `OPTIONS sip:x SIP/2.0\r\nCall-ID: full-${i}\r\nX-Pad: ${'p'.repeat(300)}\r\n\r\n`,
          port,
          '127.0.0.1',
        );
        if (i % 50 === 0) await new Promise((r) => setTimeout(r, 5));
      }
      await until(() => (sensor.counts.get('sip.request') ?? 0) === sent, 10000);
      assert.ok(sink.lostLines > 0, 'lines were dropped while the disk was full');
      // No event about it yet: it could not be written.
      assert.equal(sensor.counts.get('sensor.dropped') ?? 0, 0);
      unlinkSync(filler);
      await until(() => (sensor.counts.get('sensor.dropped') ?? 0) > 0, 10000);
      await sensor.stop();
      await fanout.close();
      const events = readdirSync(dir).flatMap((f) =>
        readFileSync(join(dir, f), 'utf8')
          .split('\n')
          .filter((l) => l !== '')
          .map((l) => JSON.parse(l) as SnareEvent),
      );
      const reports = events.filter((e) => e.event === 'sensor.dropped');
      assert.ok(reports.length >= 1);
      for (const r of reports) {
        assert.equal(r.reason, 'event_lines');
        assert.ok((r.period_ms ?? -1) >= 0);
      }
      const reported = reports.reduce((n, r) => n + (r.dropped ?? 0), 0);
      // Every event emitted is a line in the file or in a reported count, none twice.
      const emitted = [...sensor.counts.values()].reduce((a, b) => a + b, 0);
      assert.equal(events.length + reported, emitted);
      const ids = events.filter((e) => e.event === 'sip.request').map((e) => e.call_id);
      assert.equal(new Set(ids).size, ids.length, 'no line twice');
      assert.ok(ids.length < sent);
      assert.equal(sensor.drops.event_lines, reported);
      assert.equal(sink.lostLines, reported);
    } finally {
      client.close();
      await sensor.stop();
      await fanout.close();
      execFileSync('umount', [mnt]);
      rmSync(mnt, { recursive: true, force: true });
    }
  });
});
