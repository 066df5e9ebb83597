/**
 * @module
 * Line handlers of the two event formats: our own JSON lines (each checked
 * against the event schema) and the article's legacy listener log. Each turns
 * one line into one staged row, or into a reject reason.
 *
 * Must never throw on a line: bad input is a reject, counted by the caller.
 */
import { eventOf, validateEvent } from '../events/catalog.js';
import type { StoreWriter } from '../store/writer.js';
import { importEventId } from './import-ledger.js';
import { parseLegacyLine } from './legacy.js';
import type { LineHandler, LineOutcome } from './lines.js';
import { parsePbxLine, type PbxContext } from './pbx.js';

/** Distinct sensor ids kept per file for its summary; more are counted, not listed. */
export const MAX_LISTED_SENSORS = 100;

/**
 * Our JSON lines: one event per line, validated; the event keeps its own id
 * and sensor. `sensors` collects the distinct sensor ids seen (at most
 * MAX_LISTED_SENSORS), for the file's summary.
 */
export function jsonlHandler(writer: StoreWriter, sensors?: Set<string>): LineHandler {
  return {
    line(text): LineOutcome {
      if (text.trim() === '') return 'skip';
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return 'bad_json';
      }
      const v = validateEvent(value);
      if (!v.ok) return `invalid_event: ${v.error}`;
      if (sensors && sensors.size < MAX_LISTED_SENSORS) sensors.add(v.event.sensor);
      writer.appendEvent(v.event, 'jsonl');
      return null;
    },
  };
}

/** The legacy log: staged through the writer's narrow legacy path (ids computed in SQL). */
export function legacyHandler(writer: StoreWriter): LineHandler {
  return {
    line(text, lineNo): LineOutcome {
      const r = parseLegacyLine(text);
      if (typeof r === 'string') return r === 'empty_line' ? 'skip' : r;
      writer.appendLegacy(lineNo, r.tsMs, r.ip, r.method, r.from, r.to, r.resp, r.ua);
      return null;
    },
  };
}

/** Asterisk and FreeSWITCH security lines: one event per attack line, id from the line number. */
export function pbxHandler(
  writer: StoreWriter,
  sensor: string,
  prefix: string,
  ctx: PbxContext,
): LineHandler {
  return {
    line(text, lineNo): LineOutcome {
      if (text.trim() === '' || text.startsWith('#')) return 'skip';
      const r = parsePbxLine(text, ctx);
      if (typeof r === 'string') return r;
      writer.appendEvent(
        eventOf(
          {
            event: 'sip.request',
            event_id: importEventId(prefix, lineNo),
            ts: new Date(r.tsMs).toISOString(),
            sensor,
            transport: r.transport,
            src_ip: r.ip,
            src_port: r.port,
            dst_ip: null,
            dst_port: null,
          },
          {
            method: r.method,
            from_user: r.fromUser,
            auth_user: r.authUser,
            ruri_user: r.dialed,
            dialed: r.dialed,
            response: r.response,
          },
        ),
        r.origin,
        false,
      );
      return null;
    },
  };
}
