/**
 * What the sensor keeps per transaction under a flood of INVITEs: the
 * retransmissions of their final answers (retransmit.ts), the persona's
 * dialogs (persona/dialogs.ts) and what they share, in heap bytes per
 * answered INVITE (after a full collection, array buffers included),
 * filled through the message handler as a UDP listener feeds it, from
 * distinct sources with Call-IDs and branches of a real scanner's length.
 * And the byte bounds of those tables against answers an attacker makes
 * large (they echo its headers).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { defaultConfig } from '../config/defaults.js';
import type { SensorConfig } from '../config/types.js';
import { EventLog } from '../events/event-log.js';
import type { EventSink } from '../events/sink.js';
import { silentLogger } from '../log.js';
import { ResponseLimiter } from './limits.js';
import { MessageHandler } from './message-handler.js';
import { createAsteriskPersona } from './persona/index.js';

/** V8's heap in use after a full collection, with the array buffers' bytes. */
async function memoryAfterGc(): Promise<number> {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const used = () => {
    const m = process.memoryUsage();
    return m.heapUsed + m.arrayBuffers;
  };
  // Array buffers are freed after the collection, off the main thread (later on a loaded
  // machine): collect again until the figure stops falling.
  let last = Infinity;
  for (let i = 0; i < 20; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
    const now = used();
    if (now > last - 64 * 1024) return Math.min(now, last);
    last = now;
  }
  return last;
}

const big = 10_000_000;

/** A message handler with the real persona, budgets that answer everything, and no sink. */
function handler(): MessageHandler {
  const base = defaultConfig();
  const config: SensorConfig = {
    ...base,
    limits: {
      ...base.limits,
      responses_per_source_per_s: big,
      responses_per_source_burst: big,
      responses_global_per_s: big,
    },
  };
  const sink: EventSink = {
    name: 'none',
    write: () => undefined,
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  const limiter = new ResponseLimiter({
    perSourcePerS: big,
    perSourceBurst: big,
    globalPerS: big,
    maxTrackedSources: 65_536,
  });
  return new MessageHandler({
    persona: createAsteriskPersona(config, { random: Math.random }),
    events: new EventLog('test', sink),
    limiter,
    sink,
    limits: config.limits,
    log: silentLogger(),
  });
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const sourceOf = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

/** An INVITE to an international number, as a scanner sends it; `padding` adds Via lines. */
function invite(i: number, src: string, padding = 0): Buffer {
  const number = `00972${500000000 + i}`;
  const via = (k: number) =>
    `Via: SIP/2.0/UDP ${src}:5060;branch=z9hG4bK-${hex(k, 4)}${hex(Math.imul(i, 40503) >>> 0, 8)}${hex(i, 8)};rport\r\n`;
  let vias = via(0);
  for (let k = 1; k <= padding; k++) vias += via(k).replace('rport', `x=${'p'.repeat(150)}`);
  const sdp = `v=0\r\no=- 1 1 IN IP4 ${src}\r\ns=-\r\nc=IN IP4 ${src}\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0 8\r\n`;
  return Buffer.from(
    `INVITE sip:${number}@192.0.2.1 SIP/2.0\r\n${vias}Max-Forwards: 70\r\n` +
      `From: "100" <sip:100@192.0.2.1>;tag=${hex(Math.imul(i, 7919) >>> 0, 8)}\r\n` +
      `To: <sip:${number}@192.0.2.1>\r\n` +
      `Call-ID: ${hex(Math.imul(i, 2654435761) >>> 0, 8)}${hex(i, 24)}@${src}\r\n` +
      `CSeq: 1 INVITE\r\nContact: <sip:100@${src}:5060>\r\nUser-Agent: scanner-${i % 50_000}/1.0\r\n` +
      `Content-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`,
  );
}

/** Sends `n` INVITEs from distinct sources; returns the answers sent (their bytes). */
async function flood(h: MessageHandler, n: number, padding = 0): Promise<number> {
  let answered = 0;
  // What a UDP listener hands over: a reply function per datagram (closing over its source).
  const replyTo = (_ip: string, _port: number) => (data: Buffer) => {
    answered += data.length;
  };
  for (let i = 0; i < n; i++) {
    const srcIp = sourceOf(i + 1);
    h.onMessage({
      transport: 'udp',
      srcIp,
      srcPort: 5060,
      dstIp: '192.0.2.1',
      dstPort: 5060,
      bytes: invite(i, srcIp, padding),
      reply: replyTo(srcIp, 5060),
    });
    // Held replies go out once a turn ends (reply-gate.ts).
    if (i % 500 === 499) await new Promise((r) => setImmediate(r));
  }
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  return answered;
}

/** The handler's retransmission table (private). */
const retransmissions = (h: MessageHandler) =>
  (h as unknown as { retransmitter: { size: number; bytes: number } }).retransmitter;

describe('per-transaction memory under a flood of INVITEs', () => {
  it('an answered INVITE costs under 2,600 bytes of heap: its retransmission and its dialog', async (t) => {
    const h = handler();
    const n = 10_000;
    const before = await memoryAfterGc();
    const answered = await flood(h, n);
    const perEntry = ((await memoryAfterGc()) - before) / n;
    // Every INVITE was challenged (401) and its 401 is retransmitted until an ACK.
    t.diagnostic(`${perEntry.toFixed(0)} bytes of heap per answered INVITE`);
    assert.ok(answered >= n * 400, `${answered} bytes answered`);
    assert.equal(retransmissions(h).size, n);
    // Before the change: 3,900 bytes (a timer and two closures per retransmission, the
    // request's text kept alive by keys cut from it, answers as slices of pooled buffers).
    assert.ok(perEntry < 2600, `${perEntry.toFixed(0)} bytes per answered INVITE`);
    // The retransmissions alone (their responses stay: the dialogs keep the same strings).
    const full = await memoryAfterGc();
    h.close();
    const retransmission = (full - (await memoryAfterGc())) / n;
    t.diagnostic(`${retransmission.toFixed(0)} bytes of heap per retransmission`);
    // Before: 950-1,000 bytes (a Timeout and two closures each).
    assert.ok(retransmission < 600, `${retransmission.toFixed(0)} bytes per retransmission`);
  });

  it('answers made large by the attacker stay within the tables’ byte bounds', async (t) => {
    const h = handler();
    const n = 4000;
    const before = await memoryAfterGc();
    // 40 padded Via lines: 401 answers of some 8 KB each, 32 MB in all.
    const answered = await flood(h, n, 40);
    const grown = ((await memoryAfterGc()) - before) / 2 ** 20;
    t.diagnostic(`the heap grew by ${grown.toFixed(1)} MB for ${answered} bytes answered`);
    assert.ok(answered > n * 8000, `${answered} bytes answered`);
    const table = retransmissions(h);
    assert.ok(table.bytes <= 8 * 2 ** 20, `${table.bytes} bytes retransmitted`);
    assert.ok(table.size > 500 && table.size < n, `${table.size} retransmissions kept`);
    // The dialogs keep at most 16 MiB of answers, shared with the retransmissions.
    assert.ok(grown < 24, `the heap grew by ${grown.toFixed(1)} MB`);
    h.close();
  });
});
