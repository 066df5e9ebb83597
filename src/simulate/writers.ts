/**
 * @module
 * Writes generated events as text: the article's legacy listener log (Figure
 * 1) or JSON lines valid under the event catalog. One file per sensor,
 * buffered in memory up to a bound and written synchronously, so memory
 * stays constant and a year of lines costs no per-line system call.
 * Timestamps are formatted once per second and reused.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { eventOf, type SnareEvent } from '../events/catalog.js';
import { formatLegacyLine } from '../events/legacy-log.js';
import type { SimEvent } from './model.js';
import { hash32 } from './rng.js';

export const FORMATS = ['legacy', 'jsonl'] as const;
export type SimFormat = (typeof FORMATS)[number];

/** Buffer per sensor before a write: bounds memory at sensors x this. */
const FLUSH_BYTES = 256 * 1024;

/** Formats whole seconds, caching the current second and day. */
export class TimeCache {
  private sec = -1;
  private day = -1;
  private dateText = '';
  private clock = '';

  private set(t: number): void {
    if (t === this.sec) return;
    this.sec = t;
    const day = Math.floor(t / 86400);
    if (day !== this.day) {
      this.day = day;
      this.dateText = new Date(day * 86400000).toISOString().slice(0, 10);
    }
    const s = t - day * 86400;
    const hh = Math.floor(s / 3600);
    const mm = Math.floor((s % 3600) / 60);
    const ss = s % 60;
    this.clock = `${hh < 10 ? '0' : ''}${hh}:${mm < 10 ? '0' : ''}${mm}:${ss < 10 ? '0' : ''}${ss}`;
  }

  /** `YYYY-MM-DD` (UTC) of `t`. */
  date(t: number): string {
    this.set(t);
    return this.dateText;
  }

  /** `YYYY-MM-DD HH:MM:SS` (UTC) of `t`. */
  legacy(t: number): string {
    this.set(t);
    return `${this.dateText} ${this.clock}`;
  }

  /** ISO 8601 with milliseconds, as the catalog's `ts`. */
  iso(t: number): string {
    this.set(t);
    return `${this.dateText}T${this.clock}.000Z`;
  }
}

/** Sensor id of an index: hp01, hp02... */
export function sensorId(index: number): string {
  return `hp${String(index + 1).padStart(2, '0')}`;
}

/** The sensor's own address (documentation ranges: simulated sensors are not real hosts). */
export function sensorAddress(index: number): string {
  return index < 254 ? `192.0.2.${index + 1}` : `198.51.100.${((index - 254) % 254) + 1}`;
}

/** Program name in the simulated listener log: the article's (Figure 1). */
export const SIM_PROGRAM = 'sip-honeyd.pl';

/** Figure 1 line of a generated request (the event log's own format, the article's program name). */
export function legacyLine(ev: SnareEvent, pid: number): string {
  return formatLegacyLine(ev, pid, SIM_PROGRAM) ?? '';
}

/**
 * Deterministic, time-ordered ids shaped like a UUID version 7: 48 bits of
 * milliseconds, then the run's seed hash, then the line's global sequence.
 * The seed's part is formatted once per run, the time's once per second.
 */
export function eventIds(seedHash: number): (t: number, seq: number) => string {
  const s = seedHash.toString(16).padStart(8, '0');
  const middle = `-7${s.slice(0, 3)}-${((parseInt(s.charAt(3), 16) & 3) | 8).toString(16)}${s.slice(4, 7)}-`;
  // Formatting a number above 2^31 in hex is slow: once per second of time.
  let lastT = NaN;
  let head = '';
  return (t, seq) => {
    if (t !== lastT) {
      lastT = t;
      const ms = (t * 1000).toString(16).padStart(12, '0');
      head = `${ms.slice(0, 8)}-${ms.slice(8, 12)}${middle}`;
    }
    return head + seq.toString(16).padStart(12, '0');
  };
}

/** One id of `eventIds(seedHash)`. */
export function eventId(t: number, seedHash: number, seq: number): string {
  return eventIds(seedHash)(t, seq);
}

/** Sensor ids and addresses, formatted once per sensor index (at most 500). */
const SENSOR_STRINGS: { id: string; ip: string }[] = [];

function sensorStrings(index: number): { id: string; ip: string } {
  let known = SENSOR_STRINGS[index];
  if (known === undefined) {
    known = { id: sensorId(index), ip: sensorAddress(index) };
    if (index < 1000) SENSOR_STRINGS[index] = known;
  }
  return known;
}

/** The catalog event for a generated request. */
export function toEvent(e: SimEvent, ts: string, id: string): SnareEvent {
  const sensor = sensorStrings(e.sensor);
  const sensorIp = sensor.ip;
  return eventOf(
    {
      event: 'sip.request',
      event_id: id,
      ts,
      sensor: sensor.id,
      transport: 'udp',
      src_ip: e.actor.host.ip,
      src_port: e.actor.port,
      dst_ip: sensorIp,
      dst_port: 5060,
    },
    {
      size: 380 + e.to.length * 3 + (e.ua?.length ?? 0),
      method: e.method,
      ruri: `sip:${e.to}@${sensorIp}`,
      ruri_user: e.to,
      from_user: e.from,
      to_user: e.to,
      from_tag: hash32(e.callId).toString(16),
      call_id: e.callId,
      cseq: e.cseq,
      user_agent: e.ua,
      response: e.resp,
      auth_user: e.authUser,
      auth_realm: e.authUser === null ? null : 'asterisk',
      auth_ok: e.authOk,
      password_guess: e.password,
      guess_source: e.password === null ? null : e.authOk === true ? 'configured' : 'wordlist',
      dialed: e.method === 'INVITE' ? e.to : null,
    },
  );
}

/**
 * One output file per sensor, each with a fixed byte buffer: lines are
 * encoded straight into it (no string concatenation, little garbage) and
 * the buffer is written out when full.
 */
export class SensorFiles {
  private readonly fds: number[] = [];
  private readonly buffers: Buffer[] = [];
  private readonly used: number[] = [];
  readonly paths: string[] = [];
  bytes = 0;

  constructor(dir: string, sensors: number, format: SimFormat) {
    for (let i = 0; i < sensors; i++) {
      const path = join(dir, `${sensorId(i)}.${format === 'legacy' ? 'log' : 'jsonl'}`);
      this.paths.push(path);
      this.fds.push(openSync(path, 'w'));
      this.buffers.push(Buffer.allocUnsafe(FLUSH_BYTES));
      this.used.push(0);
    }
  }

  write(sensor: number, line: string): void {
    const buf = this.buffers[sensor];
    const fd = this.fds[sensor];
    if (buf === undefined || fd === undefined) throw new RangeError(`no sensor ${sensor}`);
    let used = this.used[sensor] ?? 0;
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit.
    if (used + line.length * 3 > FLUSH_BYTES) {
      this.bytes += writeSync(fd, buf, 0, used);
      used = 0;
      if (line.length * 3 > FLUSH_BYTES) {
        this.bytes += writeSync(fd, line);
        this.used[sensor] = 0;
        return;
      }
    }
    this.used[sensor] = used + buf.write(line, used);
  }

  close(): void {
    this.fds.forEach((fd, i) => {
      const used = this.used[i] ?? 0;
      const buf = this.buffers[i];
      if (used > 0 && buf) this.bytes += writeSync(fd, buf, 0, used);
      closeSync(fd);
    });
    this.fds.length = 0;
  }
}
