/**
 * @module
 * The report's tables that tell attacks rather than count them: the
 * extensions cracked (first, with what it means), the user agents of all
 * traffic (beside those of calls), and the story of the most active
 * sources, one row per aspect, with the field names of /api/sources/{ip}.
 */
import type { SourceStory, SourceStoryTotals } from '../analysis/queries/source-story.js';
import type { Report } from '../analysis/types.js';
import type { Column, Table } from './table.js';

const text = (header: string): Column => ({ header, kind: 'text' });
const int = (header: string): Column => ({ header, kind: 'int' });

/** Items listed per aspect of a story before "and N more". */
export const STORY_ITEMS = 12;

/** What "cracked" means, said where the table is. */
export const CRACKED_CAPTION =
  'An extension is cracked when a source authenticated with its real password: the digest matched the password ' +
  'configured for it (or the sensor accepted the registration). Such a source holds working credentials and, on a ' +
  'real PBX, could register as the extension and place calls billed to it. Change these passwords on any real system ' +
  'that uses them.';

export function crackedTable(cr: Report['credentials']): Table {
  return {
    id: 'cracked',
    title: 'Extensions cracked',
    note: `${CRACKED_CAPTION} ${cr.cracked.length} extensions cracked.`,
    columns: [text('username'), text('first'), int('sources'), int('attempts'), text('passwords')],
    rows: cr.cracked.map((c) => [
      c.username,
      c.first_ts,
      c.sources,
      c.attempts,
      c.passwords.join(' '),
    ]),
  };
}

export function trafficUserAgentTable(list: Report['user_agents_all_traffic']): Table {
  return {
    id: 'user_agents_all_traffic',
    title: 'User agents of all traffic',
    note:
      'Every request (scans, REGISTERs, INVITEs...) by User-Agent label, beside the user agents of calls above: ' +
      'the scanning and cracking tools show here, not among the calls.',
    columns: [text('label'), text('family'), text('category'), int('requests'), int('sources')],
    rows: list.map((u) => [u.label, u.family, u.category, u.count, u.sources]),
  };
}

type ListField = keyof SourceStoryTotals;

/**
 * At most STORY_ITEMS of the story's list `field`, joined, with how many
 * were left out: counted from the list's total, which the API's own cap
 * (100 rows) does not cut.
 */
function some<K extends ListField>(
  s: SourceStory,
  field: K,
  show: (x: SourceStory[K][number]) => string,
  sep = ', ',
): string | null {
  const items: readonly SourceStory[K][number][] = s[field];
  if (items.length === 0) return null;
  const shown = items.slice(0, STORY_ITEMS).map(show).join(sep);
  const total = Math.max(s.totals[field], items.length);
  return total > STORY_ITEMS ? `${shown}${sep}and ${total - STORY_ITEMS} more` : shown;
}

/** `2012-01-01T03:04:05.000Z` -> `2012-01-01 03:04`. */
function at(ts: string | null): string {
  return ts === null ? '?' : ts.replace('T', ' ').slice(0, 16);
}

/** The rows `[ip, aspect, told]` of one story; aspects with nothing to tell are left out. */
function storyRows(s: SourceStory): [string, string, string][] {
  const aspects: [string, string | null][] = [
    [
      'seen',
      `${at(s.first_ts)} to ${at(s.last_ts)} UTC, ${s.messages} messages: ` +
        (some(s, 'methods', (m) => `${m.method ?? 'malformed'} ${m.count}`) ?? ''),
    ],
    ['origin', `${s.cc ?? '??'}, AS${s.asn ?? '?'} ${s.as_name ?? ''}`.trimEnd()],
    [
      'phases',
      some(
        s,
        'phases',
        (p) => `${p.phase} ${at(p.first_ts)} to ${at(p.last_ts)} (${p.messages})`,
        '; ',
      ),
    ],
    ['extensions tried', some(s, 'extensions_tried', (e) => `${e.user} (${e.count})`)],
    [
      'credentials tried',
      some(
        s,
        'credentials',
        (c) =>
          `${c.user ?? '?'}:${c.password ?? '(unknown)'} x${c.attempts}${c.cracked ? ' CRACKED' : ''}`,
      ),
    ],
    [
      'cracked',
      some(
        s,
        'cracked',
        (c) => `${c.user ?? '?'} with ${c.password ?? '(unknown)'} at ${at(c.ts)}`,
      ),
    ],
    [
      'numbers called',
      some(s, 'numbers', (n) => `${n.number} ${n.country ?? '??'} ${n.type ?? ''} (${n.invites})`),
    ],
    [
      'destination countries',
      some(s, 'destination_countries', (c) => `${c.cc ?? '??'} ${c.invites}`),
    ],
    [
      'user agents',
      some(
        s,
        'user_agents',
        (u) => `${u.label ?? 'undefined'} [${u.category ?? '?'}] (${u.count})`,
      ),
    ],
    ['sensors', some(s, 'sensors', (x) => `${x.sensor} (${x.count})`)],
  ];
  return aspects.flatMap(([aspect, told]) => (told === null ? [] : [[s.ip, aspect, told]]));
}

export function storyTable(stories: readonly SourceStory[]): Table {
  return {
    id: 'source_stories',
    title: 'The most active sources, told',
    note:
      'What each of the most active sources did (the first of "Sources by attack phase"), as the dashboard tells it: ' +
      'when it reached each phase (messages classed by what they do), the extensions and credentials it tried and ' +
      'cracked, the numbers it called and their countries, its user agents and the sensors that saw it.',
    columns: [text('ip'), text('what'), text('detail')],
    rows: stories.flatMap(storyRows),
    wrap: true,
  };
}
