/**
 * @module
 * The report as a list of plain tables (title, columns, rows of cells): the
 * one layout the text, CSV and HTML renderers share, so every format shows
 * the same numbers under the same headings. Cells keep attacker strings raw;
 * each renderer escapes for its own format.
 */
import type { Report } from '../analysis/types.js';
import { crackedTable, storyTable, trafficUserAgentTable } from './story-tables.js';

export type { Column, Table, TableCell } from './table.js';
import type { Column, Table } from './table.js';

const text = (header: string): Column => ({ header, kind: 'text' });
const int = (header: string): Column => ({ header, kind: 'int' });
const share = (header: string): Column => ({ header, kind: 'share' });
const float = (header: string): Column => ({ header, kind: 'float' });
const ident = (header: string): Column => ({ header, kind: 'id' });

/** Every section as tables, in report order; `top` cuts long lists. */
export function reportTables(r: Report, top: number): Table[] {
  return [
    ...summaryTables(r.summary),
    crackedTable(r.credentials),
    ...userAgentTables(r.user_agent_breakdown),
    trafficUserAgentTable(r.user_agents_all_traffic),
    ...sourceTables(r, top),
    ...destinationTables(r, top),
    ...phaseTables(r.phases),
    storyTable(r.source_stories),
    ...credentialTables(r.credentials),
    ...networkTables(r.network),
  ];
}

/** Table 1: the counts of the whole period. */
function summaryTables(sm: Report['summary']): Table[] {
  return [
    {
      id: 'summary',
      title: 'Summary (Table 1)',
      note: `Period ${sm.first_ts ?? '-'} to ${sm.last_ts ?? '-'} (UTC); geo-IP data ${sm.geo_data_date ?? 'unknown'}.`,
      columns: [text('data'), int('count')],
      rows: [
        ['REGISTER messages', sm.register_messages],
        ['INVITE messages', sm.invite_messages],
        ['OPTIONS messages', sm.options_messages],
        ['Unified INVITE messages', sm.unified_invites],
        ['Unique IPs', sm.unique_ips],
        ['Unique ASNs', sm.unique_asns],
        ['Days with events', sm.days],
        ['Unique source country codes', sm.unique_source_countries],
        ['Malformed messages', sm.malformed],
      ],
    },
  ];
}

/** Who the callers claim to be. */
function userAgentTables(ua: Report['user_agent_breakdown']): Table[] {
  return [
    {
      id: 'user_agents',
      title: 'User agents of unified INVITEs (Figure 3)',
      note:
        `Customized or potentially malicious (${ua.customized_categories.join(', ')}): ` +
        `${(ua.customized_share * 100).toFixed(2)}% of ${ua.total} calls.` +
        (ua.other.labels > 0 ? ` ${ua.other.labels} other labels: ${ua.other.count} calls.` : ''),
      columns: [text('label'), text('family'), text('category'), int('calls'), share('share')],
      rows: ua.labels.map((l) => [l.label, l.family, l.category, l.count, l.share]),
    },
    {
      id: 'user_agent_categories',
      title: 'User-agent categories',
      columns: [text('category'), int('calls'), share('share')],
      rows: ua.categories.map((c) => [c.name, c.count, c.share]),
    },
  ];
}

/** Where the calls come from, and which sources look like rogue servers. */
function sourceTables(r: Report, top: number): Table[] {
  return [
    {
      id: 'source_countries',
      title: 'Source countries of calls (Figure 4)',
      columns: [text('cc'), int('calls'), share('share')],
      rows: r.source_countries.slice(0, top).map((c) => [c.cc ?? '??', c.count, c.share]),
    },
    {
      id: 'top_sources',
      title: 'Top source IPs (Table 3)',
      note: 'IDDs: distinct destination countries called. Share of cc: share of the calls from the same source country.',
      columns: [
        ident('#'),
        int('calls'),
        text('ip'),
        text('cc'),
        ident('asn'),
        text('as name'),
        int('IDDs'),
        text('user agent'),
        share('share'),
        share('share of cc'),
      ],
      rows: r.top_sources.map((x, n) => [
        n + 1,
        x.count,
        x.ip,
        x.cc,
        x.asn,
        x.as_name,
        x.destination_countries,
        x.user_agent,
        x.share,
        x.share_of_country,
      ]),
    },
    {
      id: 'rogue_servers',
      title: 'Rogue VoIP server candidates',
      note:
        `Sources calling >= ${r.rogue_servers.min_countries} destination countries with a robust z-score >= ${r.rogue_servers.min_z} ` +
        `(0.6745 (k - median) / MAD over ${r.rogue_servers.callers} callers; median ${r.rogue_servers.median_countries}, MAD ${r.rogue_servers.mad_countries}). ` +
        'Entropy near log2(countries) means calls spread evenly, as a hub reselling routes would.',
      columns: [
        text('ip'),
        text('cc'),
        int('calls'),
        int('countries'),
        float('robust z'),
        float('entropy bits'),
        text('why'),
      ],
      rows: r.rogue_servers.candidates
        .slice(0, top)
        .map((c) => [
          c.ip,
          c.cc,
          c.calls,
          c.destination_countries,
          Number.isFinite(c.robust_z) ? c.robust_z : 'inf',
          c.entropy_bits,
          c.score_note,
        ]),
    },
  ];
}

/** What was called, and from where to where. */
function destinationTables(r: Report, top: number): Table[] {
  return [
    {
      id: 'destinations',
      title: 'Most called numbers',
      columns: [
        text('number'),
        text('country'),
        text('type'),
        int('calls'),
        int('invites'),
        int('sources'),
        text('label'),
      ],
      rows: r.destinations.map((d) => [
        d.number,
        d.country,
        d.type,
        d.count,
        d.invites,
        d.sources,
        d.label,
      ]),
    },
    {
      id: 'destination_countries',
      title: 'Destination countries',
      columns: [text('cc'), int('calls'), share('share')],
      rows: r.destination_countries.slice(0, top).map((c) => [c.cc ?? '??', c.count, c.share]),
    },
    {
      id: 'number_types',
      title: 'Number types',
      columns: [text('type'), int('calls'), share('share')],
      rows: r.number_types.map((n) => [n.type ?? 'unknown', n.count, n.share]),
    },
    {
      id: 'number_methods',
      title:
        'How the called numbers were found (all but "alone" is inference; "store": other sources dialled the number in full)',
      columns: [text('method'), int('calls'), share('share')],
      rows: r.number_methods.map((m) => [m.method ?? 'not recorded', m.count, m.share]),
    },
    {
      id: 'country_pairs',
      title: 'Source country -> destination country (Table 4)',
      columns: [text('source'), text('destination'), int('calls'), share('share')],
      rows: r.country_pairs
        .slice(0, top)
        .map((p) => [p.source ?? '??', p.destination ?? '??', p.count, p.share]),
    },
    {
      id: 'graph',
      title: 'Link graph edges (Figure 5)',
      columns: [text('source ip'), text('source cc'), text('destination'), int('calls')],
      rows: r.graph.flatMap((g) =>
        g.edges.map((e) => [g.ip, g.cc, e.destination ?? '??', e.count]),
      ),
    },
  ];
}

/** How far sources went through the attack chain. */
function phaseTables(ph: Report['phases']): Table[] {
  return [
    {
      id: 'phases',
      title: 'Attack phases: how many sources reached each',
      note:
        `"reached": sources that did it, whatever else they did or skipped (many call without scanning first); ` +
        `"funnel": sources that also went through every phase before it, in order. ` +
        `Thresholds: scanning >= ${ph.thresholds.scan_min_requests} OPTIONS/no-user requests; enumeration >= ${ph.thresholds.enum_min_targets} users; ` +
        `brute force >= ${ph.thresholds.brute_min_attempts} auth attempts on one user (or >= ${ph.thresholds.brute_min_registers} bare REGISTERs); ` +
        `abuse >= ${ph.thresholds.abuse_min_invites} external INVITEs. ${ph.total_sources} sources sent requests.`,
      columns: [
        text('phase'),
        int('reached'),
        share('of all sources'),
        int('funnel'),
        share('funnel: of previous'),
        int('of scanners'),
      ],
      rows: ph.funnel.map((st) => [
        st.stage,
        ph.totals[st.stage],
        ph.total_sources > 0 ? ph.totals[st.stage] / ph.total_sources : 0,
        st.sources,
        st.share_of_previous,
        ph.from_scanners[st.stage],
      ]),
    },
    {
      id: 'phase_sources',
      title: 'Sources by attack phase',
      columns: [
        text('ip'),
        text('cc'),
        text('phases'),
        int('requests'),
        int('scan req'),
        int('users probed'),
        int('auth attempts'),
        int('max on one user'),
        int('external INVITEs'),
      ],
      rows: ph.sources.map((x) => [
        x.ip,
        x.cc,
        x.phases.join('>'),
        x.requests,
        x.scan_requests,
        x.enum_targets,
        x.auth_attempts,
        Math.max(x.max_attempts_one_user, x.max_registers_one_user),
        x.external_invites,
      ]),
    },
    {
      id: 'phase_daily',
      title: 'Attack phases per day',
      columns: [text('day'), text('phase'), int('sources'), int('messages')],
      rows: ph.daily.map((d) => [d.day, d.phase, d.sources, d.messages]),
    },
  ];
}

/** Usernames and passwords tried, and the extensions they opened. */
function credentialTables(cr: Report['credentials']): Table[] {
  return [
    {
      id: 'usernames',
      title: 'Usernames tried',
      note: `${cr.auth_attempts} requests carried Authorization.`,
      columns: [text('username'), int('attempts'), int('sources')],
      rows: cr.usernames.map((u) => [u.username, u.attempts, u.sources]),
    },
    {
      id: 'passwords',
      title: 'Recovered password guesses',
      columns: [text('password'), text('recovered from'), int('attempts'), int('users')],
      rows: cr.passwords.map((p) => [p.password, p.source, p.attempts, p.users]),
    },
  ];
}

/** The network view: per sensor, sweeps across sensors, calls that reached several. */
function networkTables(n: Report['network']): Table[] {
  return [
    {
      id: 'sensors',
      title: 'Sensors',
      columns: [
        text('sensor'),
        int('events'),
        int('sources'),
        text('first seen'),
        text('last seen'),
      ],
      rows: n.sensors.map((x) => [x.sensor, x.events, x.sources, x.first_ts, x.last_ts]),
    },
    {
      id: 'sweeps',
      title: 'Sources seen by several sensors',
      note: `${n.multi_sensor_sources} sources reached more than one sensor; seconds per sensor = time from its first sensor to its last one, divided by the moves.`,
      columns: [
        text('ip'),
        int('sensors'),
        int('events'),
        text('first seen'),
        text('last seen'),
        float('seconds per sensor'),
      ],
      rows: n.sweeps.map((x) => [
        x.ip,
        x.sensors,
        x.events,
        x.first_ts,
        x.last_ts,
        x.seconds_per_sensor,
      ]),
    },
    {
      id: 'multi_sensor_calls',
      title: 'Calls whose INVITEs reached several sensors',
      note: `${n.multi_sensor_calls} unified INVITEs reached more than one sensor.`,
      columns: [
        text('ip'),
        text('number'),
        int('sensors'),
        int('INVITEs'),
        text('first'),
        text('last'),
      ],
      rows: n.calls.map((x) => [x.ip, x.number, x.sensors, x.invites, x.first_ts, x.last_ts]),
    },
  ];
}
