/**
 * A capture cut short inside a record (a copy stopped mid-file, a disk that
 * filled while tcpdump wrote) loses the message of that record: the import
 * says so with a `truncated_capture` reject, for pcap and pcapng alike, and
 * keeps every whole record before it.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testdata } from '../helpers/shared.js';
import { ipv4Udp, rawIpPcap, scratch, type Scratch } from './ingest-helpers.js';

const options = (n: number): Buffer =>
  Buffer.from(
    `OPTIONS sip:100@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.7:5060;branch=z9hG4bK-${n}\r\n` +
      `From: <sip:scan@198.51.100.7>;tag=t${n}\r\nTo: <sip:100@192.0.2.1>\r\nCall-ID: c${n}\r\n` +
      `CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`,
  );

describe('ingest of a truncated capture', () => {
  let s: Scratch;
  before(async () => {
    s = await scratch();
  });
  after(() => {
    s.done();
  });

  it('pcap cut inside the last SIP message: the whole ones stored, the cut one a reject', async () => {
    const pkts = [1, 2, 3].map((n) =>
      ipv4Udp([198, 51, 100, 7], 5060, [192, 0, 2, 1], 5060, options(n)),
    );
    const whole = rawIpPcap(pkts);
    const path = join(s.dir, 'cut.pcap');
    writeFileSync(path, whole.subarray(0, whole.length - 40));
    const r = await s.ingest([path], { sensorId: 'cut' });
    const f = r.files[0];
    assert.equal(f?.events, 2);
    assert.equal(f.rejected, 1);
    assert.deepEqual(f.rejects, [{ line: 3, reason: 'truncated_capture' }]);
    // The whole file: no reject.
    const full = join(s.dir, 'whole.pcap');
    writeFileSync(full, whole);
    const w = await s.ingest([full], { sensorId: 'whole' });
    assert.equal(w.files[0]?.events, 3);
    assert.equal(w.files[0].rejected, 0);
  });

  it('pcapng cut inside a block: a truncated_capture reject', async () => {
    const src = readFileSync(
      testdata('attack-traffic', 'benign-baseline', 'ndpi-sip_hello.pcapng'),
    );
    const path = join(s.dir, 'cut.pcapng');
    // Walk the blocks to the last Enhanced Packet Block big enough to hold a
    // SIP message (the small ones after it are other traffic), and cut inside it.
    let lastSip = -1;
    for (let o = 0; o + 8 <= src.length; o += src.readUInt32LE(o + 4)) {
      if (src.readUInt32LE(o) === 6 && src.readUInt32LE(o + 4) > 400) lastSip = o;
    }
    assert.ok(lastSip > 0);
    writeFileSync(path, src.subarray(0, lastSip + 200));
    const r = await s.ingest([path], { sensorId: 'cutng' });
    const f = r.files[0];
    assert.equal(f?.events, 7, 'the 8 messages less the cut one');
    assert.equal(f.rejects.at(-1)?.reason, 'truncated_capture');
  });
});
