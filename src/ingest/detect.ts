/**
 * @module
 * Recognises an input's format from its first bytes (after gunzip), never
 * from its name: capture magic numbers, then a vote over the first text
 * lines (JSON object, Figure 1 line, Honeynet record header, Asterisk or
 * FreeSWITCH log line).
 *
 * Must never read more than the sample it is given.
 */
import { parseLegacyLine } from './legacy.js';
import { parsePbxLine } from './pbx.js';

export const FORMATS = ['jsonl', 'legacy', 'honeynet', 'pcap', 'pcapng', 'pbx'] as const;
export type Format = (typeof FORMATS)[number];

/** Bytes of each file looked at. */
export const SAMPLE_BYTES = 64 * 1024;
const SAMPLE_LINES = 50;

function pcapMagic(b: Buffer): Format | null {
  if (b.length < 4) return null;
  const m = b.readUInt32LE(0);
  if (m === 0xa1b2c3d4 || m === 0xd4c3b2a1 || m === 0xa1b23c4d || m === 0x4d3cb2a1) return 'pcap';
  if (m === 0x0a0d0d0a) return 'pcapng';
  return null;
}

/** The format of a sample, or null when nothing fits. */
export function detectFormat(sample: Buffer): Format | null {
  const magic = pcapMagic(sample);
  if (magic) return magic;
  const text = sample.toString('utf8');
  const lines = text.split('\n', SAMPLE_LINES + 1).slice(0, SAMPLE_LINES);
  if (sample.length >= SAMPLE_BYTES && lines.length > 1) lines.pop(); // possibly cut
  const votes = { jsonl: 0, legacy: 0, honeynet: 0, pbx: 0 };
  for (const raw of lines) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '' || line.startsWith('#')) continue;
    // A JSON line is a whole object: a pretty-printed JSON file is not JSON lines.
    if (line.startsWith('{') && line.trimEnd().endsWith('}')) votes.jsonl++;
    else if (/^Source: \S+:\d+$/.test(line) || /^Datetime: \d{4}-/.test(line)) votes.honeynet++;
    else if (typeof parseLegacyLine(line) !== 'string') votes.legacy++;
    else if (typeof parsePbxLine(line, { lastTsMs: 0, year: 2000 }) === 'object') votes.pbx++;
  }
  let best: Format | null = null;
  let bestVotes = 0;
  for (const [k, v] of Object.entries(votes)) {
    if (v > bestVotes) {
      best = k as Format;
      bestVotes = v;
    }
  }
  return best;
}
