import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detectFormat } from './detect.js';

const LEGACY =
  '2011-12-27 19:48:38 +0000: sip-honeyd.pl[4429]: IP: 41.1.2.19, method: REGISTER, from: "100", to: "100", resp: 200, user-agent: "X-Lite release 1006e stamp 34025"';

describe('detectFormat', () => {
  it('recognises JSON lines, one whole object per line', () => {
    const text =
      '{"event":"sip.request","ts":"2026-01-01T00:00:00.000Z"}\n{"event":"sip.request"}\n';
    assert.equal(detectFormat(Buffer.from(text)), 'jsonl');
  });

  it('does not take a pretty-printed JSON document (a truth file, a config) for JSON lines', () => {
    const text = JSON.stringify({ summary: { register_messages: 1 }, list: [1, 2] }, null, 2);
    assert.equal(detectFormat(Buffer.from(text)), null);
  });

  it('recognises the legacy listener log and Honeynet records', () => {
    assert.equal(detectFormat(Buffer.from(`${LEGACY}\n${LEGACY}\n`)), 'legacy');
    const honeynet = 'Source: 210.184.X.Y:5060\nDatetime: 2010-02-01 10:00:00.000000\nMessage:\n';
    assert.equal(detectFormat(Buffer.from(honeynet)), 'honeynet');
  });

  it('recognises captures by their magic number', () => {
    const pcap = Buffer.alloc(24);
    pcap.writeUInt32LE(0xa1b2c3d4, 0);
    assert.equal(detectFormat(pcap), 'pcap');
    const ng = Buffer.alloc(28);
    ng.writeUInt32LE(0x0a0d0d0a, 0);
    assert.equal(detectFormat(ng), 'pcapng');
  });
});
