import { barChart, hourlyChart } from '../charts';
import { api, cite, el, fmt, section, table } from '../dom';

interface Story {
  ip: string;
  cc: string | null;
  asn: number | null;
  as_name: string | null;
  messages: number;
  first_ts: string;
  last_ts: string;
  phases: { phase: string; messages: number; first_ts: string; last_ts: string }[];
  extensions_tried: { user: string; count: number }[];
  credentials: {
    user: string | null;
    password: string | null;
    attempts: number;
    cracked: boolean;
  }[];
  cracked: { user: string | null; password: string | null; ts: string }[];
  numbers: { number: string; country: string | null; type: string | null; invites: number }[];
  destination_countries: { cc: string | null; invites: number }[];
  user_agents: { label: string | null; category: string | null; count: number }[];
  sensors: { sensor: string; count: number }[];
  timeline: { hour: string; phase: string; messages: number }[];
  totals: Record<ListField, number>;
}

type ListField =
  | 'phases'
  | 'extensions_tried'
  | 'credentials'
  | 'cracked'
  | 'numbers'
  | 'destination_countries'
  | 'user_agents'
  | 'sensors'
  | 'timeline';

/** A section's note, with how much of a capped list is shown. */
function note(s: Story, field: ListField, what: string): string {
  const total = s.totals[field];
  const shown = s[field].length;
  return total > shown ? `${what} The first ${fmt(shown)} of ${fmt(total)} are shown.` : what;
}

export async function story(app: HTMLElement, ip: string): Promise<void> {
  const s = await api<Story>('/api/sources/' + encodeURIComponent(ip));
  app.append(
    el('h1', {}, 'Source ' + s.ip),
    el(
      'p',
      { class: 'what' },
      `Country ${s.cc ?? 'unknown'}, AS${s.asn ?? '?'} ${s.as_name ?? ''}; ${fmt(s.messages)} messages from ${s.first_ts} to ${s.last_ts}.`,
    ),
    s.cracked.length > 0
      ? section(
          'Cracked extensions',
          'Extensions this source registered with the right password: the honeypot would have let it place calls.',
          table(
            ['extension', 'password', 'first success'],
            s.cracked.map((c) => [c.user, c.password, c.ts]),
          ),
        )
      : '',
    section(
      'Phases reached',
      'Each request counts in one phase (see the overview); first and last time this source sent one.',
      table(
        ['phase', 'messages', 'first', 'last'],
        s.phases.map((p) => [p.phase, fmt(p.messages), p.first_ts, p.last_ts]),
        [1],
      ),
    ),
    section(
      'Timeline',
      note(s, 'timeline', 'Requests per UTC hour and phase.'),
      hourlyChart(s.timeline),
    ),
    section(
      'Credentials tried',
      note(
        s,
        'credentials',
        'Digest usernames and the plaintext passwords recovered, most attempts first; cracked ones first.',
      ),
      table(
        ['user', 'password', 'attempts', 'cracked'],
        s.credentials.map((c) => [c.user, c.password, fmt(c.attempts), c.cracked ? 'yes' : '']),
        [2],
      ),
    ),
    section(
      'Extensions tried',
      note(
        s,
        'extensions_tried',
        'Users named in REGISTER, INVITE, SUBSCRIBE and MESSAGE requests.',
      ),
      table(
        ['extension', 'messages'],
        s.extensions_tried.map((e) => [e.user, fmt(e.count)]),
        [1],
      ),
    ),
    section(
      'Numbers called',
      note(s, 'numbers', 'INVITEs by normalised destination number.'),
      table(
        ['number', 'country', 'type', 'INVITEs'],
        s.numbers.map((n) => [n.number, n.country, n.type, fmt(n.invites)]),
        [3],
      ),
    ),
    section(
      'Destination countries',
      note(s, 'destination_countries', 'INVITEs of this source by destination country.'),
      barChart(
        s.destination_countries.map((d) => ({ label: d.cc ?? 'unknown', count: d.invites })),
        'INVITEs',
      ),
    ),
    cite("Figure 5 (one source's destination countries)"),
    section(
      'User agents',
      note(s, 'user_agents', 'User-Agent labels this source sent.'),
      table(
        ['label', 'category', 'messages'],
        s.user_agents.map((u) => [u.label, u.category, fmt(u.count)]),
        [2],
      ),
    ),
    section(
      'Sensors',
      note(s, 'sensors', 'Sensors that recorded this source.'),
      table(
        ['sensor', 'messages'],
        s.sensors.map((x) => [x.sensor, fmt(x.count)]),
        [1],
      ),
    ),
  );
}
