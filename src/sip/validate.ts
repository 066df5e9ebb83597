/**
 * @module
 * Semantic checks on a parsed message (RFC 3261 §8.1.1, §8.2): required
 * headers present, single-valued headers not repeated, CSeq readable and
 * matching the method, Via readable. A failure names what a UAS answers
 * (400 and friends); this module only reports, it never answers.
 */
import {
  countHeaders,
  getHeader,
  getHeaders,
  getHeaderValues,
  splitHeaderValues,
} from './headers.js';
import type { SipMessage } from './message.js';
import { parseNameAddr } from './address.js';
import { Memo } from './memo.js';
import { parseVia, type Via } from './via.js';

export const VALIDATION_FAILURES = [
  'missing_header',
  'duplicate_header',
  'bad_cseq',
  'cseq_method_mismatch',
  'bad_via',
  'bad_address',
] as const;
export type ValidationFailure = (typeof VALIDATION_FAILURES)[number];

export interface ValidationProblem {
  readonly reason: ValidationFailure;
  /** Which header, e.g. `Call-ID`. */
  readonly header: string;
  readonly detail: string;
}

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

/** RFC 3261 §8.1.1.5: a 32-bit unsigned sequence number and a method token. */
export function parseCSeq(value: string): CSeq | null {
  return CSEQ_MEMO.get(value, parseCSeqUncached);
}

const CSEQ_MEMO = new Memo<CSeq | null>(2);

function parseCSeqUncached(value: string): CSeq | null {
  const m = /^(\d{1,10})\s+([A-Za-z0-9\-.!%*_+`'~]+)$/.exec(value.trim());
  if (!m) return null;
  const seq = Number(m[1]);
  if (seq > 0xffffffff) return null;
  return { seq, method: m[2] ?? '' };
}

/** The top Via of a message, parsed; null when absent or unreadable. */
export function topVia(message: SipMessage): Via | null {
  // The first element of the first Via header that has one (as getHeaderValues(...)[0]).
  for (const h of getHeaders(message.headers, 'Via')) {
    const first = splitHeaderValues(h.value)[0];
    if (first !== undefined) return parseVia(first);
  }
  return null;
}

const SINGLE_VALUED = ['Call-ID', 'CSeq', 'From', 'To', 'Max-Forwards', 'Content-Type'] as const;

/**
 * Every problem found, most fundamental first (an empty list: the message is
 * well-formed enough to process). Never throws.
 */
export function validateMessage(message: SipMessage): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const vias = getHeaderValues(message.headers, 'Via');
  if (vias.length === 0) problems.push({ reason: 'missing_header', header: 'Via', detail: '' });
  else if (vias.some((v) => parseVia(v) === null))
    problems.push({ reason: 'bad_via', header: 'Via', detail: (vias[0] ?? '').slice(0, 60) });
  for (const name of ['Call-ID', 'From', 'To', 'CSeq'] as const) {
    if (getHeader(message, name) === undefined)
      problems.push({ reason: 'missing_header', header: name, detail: '' });
  }
  for (const name of SINGLE_VALUED) {
    if (countHeaders(message.headers, name) < 2) continue;
    const hs = getHeaders(message.headers, name);
    if (hs.length > 1 && new Set(hs.map((h) => h.value)).size > 1)
      problems.push({ reason: 'duplicate_header', header: name, detail: `${hs.length} values` });
  }
  const cseqText = getHeader(message, 'CSeq');
  if (cseqText !== undefined) {
    const cseq = parseCSeq(cseqText);
    if (!cseq) problems.push({ reason: 'bad_cseq', header: 'CSeq', detail: cseqText.slice(0, 40) });
    else if (message.kind === 'request' && cseq.method !== message.method)
      problems.push({
        reason: 'cseq_method_mismatch',
        header: 'CSeq',
        detail: cseq.method.slice(0, 40),
      });
  }
  for (const name of ['From', 'To'] as const) {
    const v = getHeader(message, name);
    if (v !== undefined && parseNameAddr(v)?.uri == null)
      problems.push({ reason: 'bad_address', header: name, detail: v.slice(0, 60) });
  }
  return problems;
}
