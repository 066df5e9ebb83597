/**
 * @module
 * Shared set-up of the ingest integration tests: a fresh store in a temp
 * dir, an import run without geo data (fast), and row queries. Everything
 * it opens is closed and removed by `done`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingestPaths, type IngestReport } from '../../src/ingest/pipeline.js';
import { NO_ENRICHMENT, type Enricher } from '../../src/store/enricher.js';
import { openStore, type Store } from '../../src/store/store.js';

export interface Scratch {
  readonly dir: string;
  readonly store: Store;
  ingest(
    paths: string[],
    opts?: { sensorId?: string; enricher?: Enricher; gap?: number },
  ): Promise<IngestReport>;
  rows(sql: string, params?: (string | number)[]): Promise<Record<string, unknown>[]>;
  done(): void;
}

export async function scratch(): Promise<Scratch> {
  const dir = mkdtempSync(join(tmpdir(), 'snare-ingest-'));
  const store = await openStore(join(dir, 'store.duckdb'));
  return {
    dir,
    store,
    ingest(paths, opts = {}) {
      return ingestPaths(store, paths, {
        enricher: opts.enricher ?? NO_ENRICHMENT,
        gapMinutes: opts.gap ?? 60,
        ...(opts.sensorId !== undefined ? { sensorId: opts.sensorId } : {}),
      });
    },
    async rows(sql, params = []) {
      return (await store.conn.runAndReadAll(sql, params)).getRowObjectsJS();
    },
    done() {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One IPv4/UDP datagram (checksums left zero; `id` is the IP identification). */
export function ipv4Udp(
  src: readonly number[],
  sport: number,
  dst: readonly number[],
  dport: number,
  payload: Buffer,
  id = 0,
): Buffer {
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(sport, 0);
  udp.writeUInt16BE(dport, 2);
  udp.writeUInt16BE(8 + payload.length, 4);
  const ip = Buffer.alloc(20);
  ip.writeUInt8(0x45, 0);
  ip.writeUInt16BE(20 + 8 + payload.length, 2);
  ip.writeUInt16BE(id & 0xffff, 4);
  ip.writeUInt8(64, 8);
  ip.writeUInt8(17, 9);
  Buffer.from(src).copy(ip, 12);
  Buffer.from(dst).copy(ip, 16);
  return Buffer.concat([ip, udp, payload]);
}

/** The header of a classic little-endian pcap (microseconds), link type 101 (raw IP). */
export function rawIpPcapHeader(): Buffer {
  const head = Buffer.alloc(24);
  head.writeUInt32LE(0xa1b2c3d4, 0);
  head.writeUInt16LE(2, 4);
  head.writeUInt16LE(4, 6);
  head.writeUInt32LE(262144, 16);
  head.writeUInt32LE(101, 20);
  return head;
}

/** One pcap record: its 16-byte header (captured at `tsMs`) and the packet. */
export function pcapRecord(pkt: Buffer, tsMs: number): Buffer[] {
  const rec = Buffer.alloc(16);
  rec.writeUInt32LE(Math.floor(tsMs / 1000), 0);
  rec.writeUInt32LE(Math.floor(tsMs % 1000) * 1000, 4);
  rec.writeUInt32LE(pkt.length, 8);
  rec.writeUInt32LE(pkt.length, 12);
  return [rec, pkt];
}

/** A classic little-endian pcap, link type 101 (raw IP), one packet per second. */
export function rawIpPcap(packets: readonly Buffer[]): Buffer {
  return Buffer.concat([
    rawIpPcapHeader(),
    ...packets.flatMap((pkt, i) => pcapRecord(pkt, (1_700_000_000 + i) * 1000)),
  ]);
}
