import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../config/load.js';
import { emptyEvent, type SnareEvent } from '../events/catalog.js';
import type { EventSink } from '../events/sink.js';
import { SnareError } from '../errors.js';
import { Writable } from 'node:stream';
import { createLogger, silentLogger } from '../log.js';
import { until } from '../testing/until.js';
import { startRuntime, type RuntimeContext, type RuntimeService } from './runtime.js';

/** A sink that notes what happens to it in a shared journal. */
class JournalSink implements EventSink {
  readonly name = 'journal';
  constructor(private readonly journal: string[]) {}
  write(e: SnareEvent): void {
    this.journal.push(`sink:write:${e.event}`);
  }
  flush(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.journal.push('sink:close');
    return Promise.resolve();
  }
}

function service(
  name: string,
  journal: string[],
  onStart: (ctx: RuntimeContext) => void = () => undefined,
): RuntimeService {
  return {
    name,
    start(ctx) {
      journal.push(`${name}:start`);
      onStart(ctx);
      return Promise.resolve();
    },
    stop() {
      journal.push(`${name}:stop`);
      return Promise.resolve();
    },
  };
}

/** An event as another sensor would have recorded it. */
function eventOf(type: SnareEvent['event']): SnareEvent {
  return {
    ...emptyEvent(),
    event: type,
    ts: new Date().toISOString(),
    sensor: 'far01',
    transport: 'udp',
    src_ip: '192.0.2.9',
  };
}

const OPTIONS = Buffer.from(
  'OPTIONS sip:100@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-rt1\r\n' +
    'From: <sip:probe@127.0.0.1>;tag=rt1\r\nTo: <sip:100@127.0.0.1>\r\nCall-ID: runtime-1\r\n' +
    'CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n',
);

describe('the sensor runtime', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'snare-runtime-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const configIn = (name: string) =>
    loadConfig({
      flags: {
        listen: ['udp://127.0.0.1:0'],
        'events.jsonl': join(dir, name),
        'store.db': null,
        sensor_id: 'rt01',
      },
    });

  it('records, feeds subscribers after the sinks, and stops services before the sinks', async () => {
    const journal: string[] = [];
    const fed: SnareEvent[] = [];
    const runtime = await startRuntime({
      config: configIn('events-a'),
      log: silentLogger(),
      extraSinks: [new JournalSink(journal)],
      services: [
        service('first', journal, (ctx) => {
          ctx.subscribe((e) => {
            journal.push(`feed:${e.event}`);
            fed.push(e);
          });
        }),
        service('second', journal),
      ],
    });
    assert.deepEqual(runtime.sinkNames, ['jsonl', 'journal']);
    const udp = runtime.sensor?.addresses[0];
    const client = createSocket('udp4');
    let answered = '';
    client.on('message', (m) => (answered = m.toString('latin1')));
    try {
      assert.ok(udp);
      client.send(OPTIONS, udp.port, '127.0.0.1');
      await until(() => fed.length === 1 && answered !== '');
    } finally {
      client.close();
      await runtime.stop();
    }
    // No extension 100 is configured: chan_sip's answer to an OPTIONS for it.
    assert.match(answered, /^SIP\/2\.0 404 /);
    assert.equal(fed[0]?.event, 'sip.request');
    assert.equal(fed[0].call_id, 'runtime-1');
    assert.equal(fed[0].sensor, 'rt01');

    const summary = await runtime.stop();
    assert.deepEqual(summary, {
      events: { 'sip.request': 1 },
      written: { jsonl: 1 },
      lost: { jsonl: 0 },
      drops: { kernel: 0, io_thread: 0, event_lines: 0, replies: 0 },
    });
    assert.deepEqual(journal, [
      'first:start',
      'second:start',
      'sink:write:sip.request',
      'feed:sip.request',
      'second:stop',
      'first:stop',
      'sink:close',
    ]);
    // The same event is on disk once stop() resolved.
    const files = readdirSync(join(dir, 'events-a'));
    const lines = files.flatMap((f) =>
      readFileSync(join(dir, 'events-a', f), 'utf8')
        .split('\n')
        .filter(Boolean),
    );
    assert.equal(lines.length, 1);
    assert.equal((JSON.parse(lines[0] ?? '{}') as SnareEvent).event_id, fed[0].event_id);
    // Stopping twice is one stop.
    assert.deepEqual(await runtime.stop(), summary);
    assert.equal(journal.filter((j) => j === 'sink:close').length, 1);
  });

  it('records what a service brings when it answers no SIP (a collector)', async () => {
    const journal: string[] = [];
    const brought = eventOf('sip.request');
    const runtime = await startRuntime({
      config: configIn('events-b'),
      log: silentLogger(),
      sensor: false,
      extraSinks: [new JournalSink(journal)],
      services: [
        service('receiver', journal, (ctx) => {
          ctx.sink.write(brought);
        }),
      ],
    });
    assert.equal(runtime.sensor, null);
    assert.deepEqual(await runtime.stop(), {
      events: { 'sip.request': 1 },
      written: { jsonl: 1 },
      lost: { jsonl: 0 },
      drops: null,
    });
    assert.deepEqual(journal, [
      'receiver:start',
      'sink:write:sip.request',
      'receiver:stop',
      'sink:close',
    ]);
  });

  it('lines that never reached the disk are lost in the summary, not written', async () => {
    const runtime = await startRuntime({
      config: configIn('events-lost'),
      log: silentLogger(),
      sensor: false,
    });
    // The directory goes away under the sensor: every append fails from now on.
    rmSync(join(dir, 'events-lost'), { recursive: true, force: true });
    for (let i = 0; i < 5; i++) runtime.sink.write(eventOf('sip.request'));
    const summary = await runtime.stop();
    assert.deepEqual(summary.events, { 'sip.request': 5 });
    assert.deepEqual(summary.lost, { jsonl: 5 });
    assert.deepEqual(summary.written, { jsonl: 0 });
  });

  it('logs the traffic of each interval while it flows, and nothing when idle', async () => {
    const lines: { msg: string; messages?: number; sources?: number }[] = [];
    const dest = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const l of chunk.toString('utf8').split('\n').filter(Boolean))
          lines.push(JSON.parse(l) as { msg: string });
        cb();
      },
    });
    const runtime = await startRuntime({
      config: configIn('events-traffic'),
      log: createLogger('info', dest, 'json'),
      sensor: false,
      trafficIntervalMs: 200,
    });
    try {
      runtime.sink.write(eventOf('sip.request'));
      runtime.sink.write({
        ...eventOf('sip.request'),
        src_ip: '192.0.2.10',
        method: 'INVITE',
        auth_ok: true,
      });
      runtime.sink.write({ ...eventOf('sensor.dropped'), dropped: 7 });
      await until(() => lines.some((l) => l.msg.startsWith('traffic')), 3000);
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await runtime.stop();
    }
    const traffic = lines.filter((l) => l.msg.startsWith('traffic'));
    assert.equal(traffic.length, 1, 'idle intervals log nothing');
    assert.equal(
      traffic[0]?.msg,
      'traffic, last 0.2 s: 2 messages from 2 sources, 1 calls, 1 accepted credentials, 3 events, 7 dropped, 0 unanswered',
    );
  });

  it('a listener that throws costs nothing to the sinks or the other listeners', async () => {
    const journal: string[] = [];
    const seen: string[] = [];
    const runtime = await startRuntime({
      config: configIn('events-c'),
      log: silentLogger(),
      sensor: false,
      extraSinks: [new JournalSink(journal)],
    });
    runtime.subscribe(() => {
      throw new Error('listener bug');
    });
    const off = runtime.subscribe((e) => seen.push(e.event));
    runtime.sink.write(eventOf('sip.request'));
    off();
    runtime.sink.write(eventOf('sip.response'));
    await runtime.stop();
    assert.deepEqual(seen, ['sip.request']);
    assert.deepEqual(journal, ['sink:write:sip.request', 'sink:write:sip.response', 'sink:close']);
  });

  it('a service that fails to start stops those started and closes the sinks', async () => {
    const journal: string[] = [];
    const failing: RuntimeService = {
      name: 'broken',
      start: () => Promise.reject(new Error('port taken')),
      stop: () => Promise.resolve(),
    };
    await assert.rejects(
      startRuntime({
        config: configIn('events-d'),
        log: silentLogger(),
        extraSinks: [new JournalSink(journal)],
        services: [service('first', journal), failing],
      }),
      (err) =>
        err instanceof SnareError &&
        err.code === 'SNARE_ERR_IO' &&
        /cannot start: port taken/.test(err.message),
    );
    assert.deepEqual(journal, ['first:start', 'first:stop', 'sink:close']);
  });
});
