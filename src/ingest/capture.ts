/**
 * @module
 * SIP messages from packet captures: every UDP payload that starts like SIP
 * is one message; TCP payloads are gathered per flow, put in sequence
 * order, joined and cut into messages by Content-Length. Requests become
 * sip.request events, responses sip.response (status = the code). A
 * request's `response` is the answer to it in the capture (see
 * `AnswerMatcher`), and a request with credentials gets `auth_ok` from that
 * answer. Event ids come from the file identity and the packet (or flow)
 * position, so a re-import adds nothing.
 *
 * Must never hold unbounded data: flows, their bytes and the requests
 * waiting for an answer are capped.
 */
import { eventOf, type SnareEvent } from '../events/catalog.js';
import { LruMap } from '../lru-map.js';
import { SipFramer } from '../sip/framing.js';
import { getHeader } from '../sip/headers.js';
import type { SipResponse } from '../sip/message.js';
import { parse } from '../sip/parse.js';
import type { StoreWriter } from '../store/writer.js';
import { importEventId } from './import-ledger.js';
import { recordedFields } from './recorded.js';
import type { Reject } from './lines.js';
import { MAX_LISTED_REJECTS } from './lines.js';
import type { Packet } from './packet-decode.js';
import { readPackets, type CaptureStatus } from './pcap.js';
import { readChunks, type FileInfo } from './source.js';

/** TCP flows followed at once, and bytes kept per flow. */
export const MAX_FLOWS = 10_000;
export const MAX_FLOW_BYTES = 4 * 1024 * 1024;
/** Requests kept waiting for their answer; beyond this the oldest is stored unanswered. */
export const MAX_UNANSWERED = 10_000;

/** A challenge that says the credentials were right but the nonce stale. */
const STALE = /\bstale\s*=\s*"?true/i;
/** Answers that refuse the credentials of a request. */
const REFUSED = new Set([401, 403, 407]);

/**
 * Pairs requests with the answers to them: same Call-ID, CSeq number and
 * method (the event fields, already cut to their bound), sent back from the
 * request's destination to its source. A request is held (bounded) until
 * its final answer, then stored with `response` = that code (else the last
 * provisional one); with credentials, `auth_ok` is true on a 2xx and false
 * on 401, 403 or 407 unless the new challenge says `stale=true` (right
 * password, old nonce). Retransmitted requests share the answer. What
 * never gets a final answer is stored when it falls out of the bound or at
 * the end of the capture.
 */
class AnswerMatcher {
  /**
   * By request key, oldest first. An LruMap, not a Map: finding the oldest
   * key of a Map whose front keeps being deleted skips ever more deleted
   * slots (a capture without answers took 10 % of its import there).
   */
  private readonly waiting = new LruMap<string, SnareEvent[]>(Number.MAX_SAFE_INTEGER);
  private held = 0;

  constructor(private readonly store: (ev: SnareEvent) => void) {}

  private static key(ev: SnareEvent, ip: string | null, port: number | null): string | null {
    if (ev.call_id === null || ev.cseq === null || ev.method === null) return null;
    return `${ip ?? ''}|${port ?? ''}|${ev.call_id}|${ev.cseq}|${ev.method}`;
  }

  request(ev: SnareEvent): void {
    const key = ev.method === 'ACK' ? null : AnswerMatcher.key(ev, ev.src_ip, ev.src_port);
    if (key === null) {
      this.store(ev);
      return;
    }
    const list = this.waiting.get(key);
    if (list) list.push(ev);
    else this.waiting.set(key, [ev]);
    this.held++;
    while (this.held > MAX_UNANSWERED) {
      const oldest = this.waiting.oldestKey();
      if (oldest === undefined) break;
      this.release(oldest);
    }
  }

  /** `answer` is a sip.response event; `msg` its message, for the challenge. */
  response(answer: SnareEvent, msg: SipResponse): void {
    // The answer goes back to where the request came from.
    const key = AnswerMatcher.key(answer, answer.dst_ip, answer.dst_port);
    const list = key === null ? undefined : this.waiting.get(key);
    if (key === null || list === undefined) return;
    const status = msg.status;
    const final = status >= 200;
    const refused =
      REFUSED.has(status) &&
      !STALE.test(getHeader(msg, 'WWW-Authenticate') ?? getHeader(msg, 'Proxy-Authenticate') ?? '');
    for (const ev of list) {
      if (!final && ev.response !== null) continue;
      ev.response = status;
      if (!final || ev.auth_user === null) continue;
      if (status < 300) ev.auth_ok = true;
      else if (refused) ev.auth_ok = false;
    }
    if (final) this.release(key);
  }

  private release(key: string): void {
    const list = this.waiting.get(key) ?? [];
    this.waiting.delete(key);
    this.held -= list.length;
    for (const ev of list) this.store(ev);
  }

  /** Stores every request still waiting. */
  end(): void {
    for (let key = this.waiting.oldestKey(); key !== undefined; key = this.waiting.oldestKey())
      this.release(key);
  }
}

/**
 * A request line (any RFC 3261 token as method, any version, loose spacing),
 * a method followed by a SIP or tel URI (a request line that lost its
 * version: imported as a reject, not skipped), or a status line.
 */
const START_LINE =
  /^(?:[-!%'*+.0-9A-Z_`a-z~]{1,64}[ \t]+(?:(?:sips?|tel):|\S[^\r\n]{0,900}[ \t]SIP\/\d{1,3}\.\d{1,3}[ \t]*\r?\n)|SIP\/\d{1,3}\.\d{1,3}[ \t]+\d{1,12}[ \t\r\n])/i;

/** True when bytes start like a SIP request or response. */
export function looksLikeSip(b: Buffer): boolean {
  return START_LINE.test(b.subarray(0, 1024).toString('latin1'));
}

interface Flow {
  readonly first: Packet;
  readonly index: number;
  segs: { seq: number; data: Buffer; tsMs: number }[];
  bytes: number;
}

export interface CaptureRun {
  readonly messages: number;
  readonly rejected: number;
  readonly rejects: readonly Reject[];
}

/** Reads a capture into the writer. */
export async function importCapture(
  info: FileInfo,
  writer: StoreWriter,
  sensor: string,
  prefix: string,
  maybeFlush: () => Promise<void>,
  progress: (bytes: number, messages: number) => void,
): Promise<CaptureRun> {
  const run = new CaptureImport(writer, sensor, prefix);
  const status: CaptureStatus = { damaged: false, truncated: false, frames: 0 };
  let read = 0;
  const counted = (async function* () {
    for await (const c of readChunks(info, 0)) {
      read += c.length;
      yield c;
    }
  })();
  let lastReport = 0;
  for await (const p of readPackets(counted, status)) {
    run.packet(p, status.frames);
    if (status.frames - lastReport >= 10_000) {
      lastReport = status.frames;
      progress(read, run.messages);
      await maybeFlush();
    }
  }
  run.end(status);
  progress(read, run.messages);
  return { messages: run.messages, rejected: run.rejected, rejects: run.rejects };
}

/** One capture's import: its SIP datagrams, its TCP flows, its rejects. */
class CaptureImport {
  messages = 0;
  rejected = 0;
  readonly rejects: Reject[] = [];
  private readonly answers: AnswerMatcher;
  private readonly flows = new Map<string, Flow>();
  private readonly emitFn = this.emit.bind(this);
  private readonly rejectFn = this.reject.bind(this);

  constructor(
    private readonly writer: StoreWriter,
    private readonly sensor: string,
    private readonly prefix: string,
  ) {
    this.answers = new AnswerMatcher((ev) => {
      writer.appendEvent(ev, 'pcap', false);
    });
  }

  /** One packet, the capture's frame number `frame`. */
  packet(p: Packet, frame: number): void {
    if (p.incomplete) {
      // A SIP datagram that lost a fragment: reported, not guessed at.
      if (p.proto === 'udp' && p.payload.length > 0 && looksLikeSip(p.payload))
        this.reject(p.incomplete.frame, 'ip_fragment_missing');
    } else if (p.proto === 'udp') {
      if (p.payload.length > 0 && looksLikeSip(p.payload))
        this.emit(p, Buffer.from(p.payload), `u${frame}`, frame, p.tsMs);
    } else this.segment(p, frame);
  }

  /** The capture's end: the TCP flows still open are framed, the damage reported. */
  end(status: CaptureStatus): void {
    for (const f of this.flows.values()) emitFlow(f, this.emitFn, this.rejectFn);
    this.answers.end();
    if (status.damaged) this.reject(status.frames + 1, 'damaged_capture');
    else if (status.truncated) this.reject(status.frames + 1, 'truncated_capture');
  }

  private reject(where: number, reason: string): void {
    this.rejected++;
    if (this.rejects.length < MAX_LISTED_REJECTS) this.rejects.push({ line: where, reason });
  }

  /** A TCP segment, kept with its flow (bounded) until the flow ends. */
  private segment(p: Packet, frame: number): void {
    const key = `${p.srcIp}|${p.srcPort}|${p.dstIp}|${p.dstPort}`;
    let f = this.flows.get(key);
    if (p.syn && f) {
      // A new connection on the same addresses and ports: its own stream and sequence space.
      emitFlow(f, this.emitFn, this.rejectFn);
      this.flows.delete(key);
      f = undefined;
    }
    if (p.payload.length === 0) return;
    if (!f && this.flows.size < MAX_FLOWS) {
      f = { first: p, index: frame, segs: [], bytes: 0 };
      this.flows.set(key, f);
    }
    if (f && f.bytes + p.payload.length <= MAX_FLOW_BYTES) {
      f.segs.push({ seq: p.seq, data: Buffer.from(p.payload), tsMs: p.tsMs });
      f.bytes += p.payload.length;
    }
  }

  /** One SIP message of the capture: parsed, recorded, its answer matched. */
  private emit(p: Packet, bytes: Buffer, id: string, frame: number, tsMs: number): void {
    const res = parse(bytes);
    if (!res.ok) {
      this.reject(frame, res.reason);
      return;
    }
    const ev = eventOf(
      {
        event: res.message.kind === 'request' ? 'sip.request' : 'sip.response',
        event_id: importEventId(this.prefix, id),
        ts: new Date(Math.floor(tsMs)).toISOString(),
        sensor: this.sensor,
        transport: p.proto,
        src_ip: p.srcIp,
        src_port: p.srcPort,
        dst_ip: p.dstIp,
        dst_port: p.dstPort,
      },
      recordedFields(res.message, res.consumed),
    );
    this.messages++;
    if (res.message.kind === 'request') this.answers.request(ev);
    else {
      this.writer.appendEvent(ev, 'pcap', false);
      this.answers.response(ev, res.message);
    }
  }
}

/** Joins a flow's segments in sequence order (retransmissions dropped) and frames its messages. */
function emitFlow(
  f: Flow,
  emit: (p: Packet, bytes: Buffer, id: string, frame: number, tsMs: number) => void,
  reject: (where: number, reason: string) => void,
): void {
  const base = f.segs[0]?.seq ?? 0;
  const rel = (s: number): number => (s - base) >>> 0;
  const segs = [...f.segs].sort((a, b) => rel(a.seq) - rel(b.seq));
  const parts: Buffer[] = [];
  let next = rel(segs[0]?.seq ?? 0);
  for (const s of segs) {
    const r = rel(s.seq);
    if (r + s.data.length <= next) continue;
    parts.push(r < next ? s.data.subarray(next - r) : s.data);
    next = r + s.data.length;
  }
  const stream = Buffer.concat(parts);
  if (!looksLikeSip(stream)) return;
  const framer = new SipFramer({ maxMessageBytes: 65535 });
  let k = 0;
  for (const item of framer.push(stream)) {
    if (item.kind === 'message')
      emit(f.first, item.bytes, `t${f.index}.${k++}`, f.index, f.first.tsMs);
    else if (item.kind === 'error') reject(f.index, `tcp_${item.reason}`);
  }
}
