/**
 * The RFC 4475 torture messages as a packet capture: every message of the
 * shared set goes into one pcap file (raw IPv4 link type, one UDP datagram
 * per message, as a sensor's tap would see them), which is then imported.
 * The well-formed messages must become events with the method of their
 * start line; every other message is an event or a counted reject, never
 * lost and never fatal.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testdata } from '../helpers/shared.js';
import { ipv4Udp, rawIpPcap, scratch, type Scratch } from './ingest-helpers.js';

interface Row {
  readonly file: string;
  readonly category: string;
}

const DIR = testdata('rfc4475');
const manifest: Row[] = readFileSync(join(DIR, 'MANIFEST.tsv'), 'utf8')
  .trim()
  .split('\n')
  .slice(1)
  .map((line) => {
    const c = line.split('\t');
    return { file: c[0] ?? '', category: c[3] ?? '' };
  });

/** A pcap of the payloads as datagrams from 192.0.2.(10+i):5060 to 198.51.100.1:5060. */
function pcapOf(payloads: readonly Buffer[]): Buffer {
  return rawIpPcap(
    payloads.map((p, i) => ipv4Udp([192, 0, 2, 10 + i], 5060, [198, 51, 100, 1], 5060, p, i)),
  );
}

describe('ingest of the RFC 4475 torture messages as a capture', () => {
  let s: Scratch;
  let path: string;
  const files = manifest.map((r) => r.file);

  before(async () => {
    s = await scratch();
    path = join(s.dir, 'rfc4475.pcap');
    writeFileSync(path, pcapOf(files.map((f) => readFileSync(join(DIR, f)))));
  });
  after(() => {
    s.done();
  });

  it('covers every message file of the shared set', () => {
    const dats = readdirSync(DIR).filter((f) => f.endsWith('.dat'));
    assert.deepEqual([...dats].sort(), [...files].sort());
  });

  it('imports every well-formed message with its start-line method, and loses none', async () => {
    const r = await s.ingest([path], { sensorId: 'rfc4475' });
    const file = r.files[0];
    assert.equal(file?.format, 'pcap');
    const rows = await s.rows(
      `SELECT src_ip, event, method, status FROM events WHERE sensor = 'rfc4475' ORDER BY src_ip`,
    );
    const bySource = new Map(rows.map((x) => [x['src_ip'] as string, x]));
    for (const [i, row] of manifest.entries()) {
      if (!row.category.startsWith('valid')) continue;
      const bytes = readFileSync(join(DIR, row.file)).toString('latin1');
      const first = bytes.slice(0, bytes.indexOf('\r\n'));
      const ev = bySource.get(`192.0.2.${String(10 + i)}`);
      assert.ok(ev, `${row.file}: no event`);
      if (first.startsWith('SIP/2.0 ')) {
        assert.equal(ev['event'], 'sip.response', row.file);
        assert.equal(ev['status'], Number(first.slice(8, 11)), row.file);
      } else {
        assert.equal(ev['event'], 'sip.request', row.file);
        assert.equal(ev['method'], first.slice(0, first.indexOf(' ')), row.file);
      }
    }
    // Nothing vanishes: each datagram is an event or a counted reject.
    assert.ok(file);
    assert.equal(rows.length + file.rejected, files.length, JSON.stringify(file));
    assert.equal(file.events, rows.length);
  });
});
