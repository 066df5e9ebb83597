/**
 * @module
 * The Honeynet Project SIP honeypot log (Forensic Challenge 2010 #4): records
 * of `Source: ip:port`, `Datetime: YYYY-MM-DD HH:MM:SS.ffffff`, `Message:` and
 * the raw SIP message (LF line ends), separated by a line of dashes. Each
 * message goes through our SIP parser; its fields are read the way the
 * sensor reads live messages. Masked addresses (`210.184.X.Y`) are kept as
 * given. The log has no zone: times are read as UTC.
 *
 * Must never throw and never buffer more than one bounded record.
 */
import { eventOf } from '../events/catalog.js';

import { parse } from '../sip/parse.js';
import type { StoreWriter } from '../store/writer.js';
import { importEventId } from './import-ledger.js';
import { recordedFields } from './recorded.js';
import type { LineHandler, LineOutcome } from './lines.js';

/** Largest record kept (bytes of message text); larger ones are rejected. */
export const MAX_RECORD_CHARS = 64 * 1024;

const SEPARATOR = /^-{10,}$/;
const SOURCE = /^Source: (.+):(\d{1,5})$/;
const DATETIME = /^Datetime: (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)$/;

interface Pending {
  line: number;
  ip: string | null;
  port: number | null;
  tsMs: number | null;
  inMessage: boolean;
  message: string[];
  chars: number;
}

function fresh(line: number): Pending {
  return { line, ip: null, port: null, tsMs: null, inMessage: false, message: [], chars: 0 };
}

/** A line handler building one event per record. */
export function honeynetHandler(writer: StoreWriter, sensor: string, prefix: string): LineHandler {
  let cur: Pending | null = null;

  const finish = (): LineOutcome => {
    const rec = cur;
    cur = null;
    if (rec === null) return 'skip';
    const where = `record at line ${rec.line}`;
    if (rec.ip === null || rec.tsMs === null) return `${where}: no Source or Datetime`;
    if (rec.chars > MAX_RECORD_CHARS) return `${where}: too_large`;
    let lines = rec.message;
    while (lines.length > 0 && lines[0]?.trim() === '') lines = lines.slice(1);
    const bytes = Buffer.from(lines.join('\n'), 'utf8');
    const res = parse(bytes);
    if (!res.ok) return `${where}: ${res.reason}`;
    const fields = recordedFields(res.message, res.consumed);
    const ev = eventOf(
      {
        event: res.message.kind === 'request' ? 'sip.request' : 'sip.response',
        event_id: importEventId(prefix, rec.line),
        ts: new Date(rec.tsMs).toISOString(),
        sensor,
        transport: null,
        src_ip: rec.ip,
        src_port: rec.port,
        dst_ip: null,
        dst_port: null,
      },
      fields,
    );
    writer.appendEvent(ev, 'honeynet', false);
    return null;
  };

  return {
    line(text, lineNo): LineOutcome {
      if (SEPARATOR.test(text)) return finish();
      const src = cur === null || !cur.inMessage ? SOURCE.exec(text) : null;
      if (src) {
        const out = cur === null ? 'skip' : finish();
        cur = fresh(lineNo);
        cur.ip = src[1] ?? null;
        cur.port = Number(src[2]);
        return out;
      }
      if (cur === null) return text.trim() === '' ? 'skip' : 'outside_record';
      if (!cur.inMessage) {
        const dt = DATETIME.exec(text);
        if (dt) {
          const ms = Date.parse(`${dt[1] ?? ''}T${(dt[2] ?? '').slice(0, 12)}Z`);
          cur.tsMs = Number.isNaN(ms) ? null : ms;
        } else if (text === 'Message:') cur.inMessage = true;
        return 'skip';
      }
      cur.chars += text.length + 1;
      if (cur.chars <= MAX_RECORD_CHARS) cur.message.push(text);
      return 'skip';
    },
    end(): LineOutcome {
      return finish();
    },
  };
}
