import { hourlyChart, worldMap, type HourPhase } from '../charts';
import { api, cite, el, fmt, section } from '../dom';
import { findingText, openLive, type Finding } from '../live-client';

type Summary = Record<string, number | string | null>;
interface Shares {
  cc: string | null;
  count: number;
}

const HEADLINES: [string, string][] = [
  ['requests', 'SIP requests received'],
  ['register_messages', 'REGISTER messages'],
  ['invite_messages', 'INVITE messages'],
  ['unified_invites', 'unified INVITEs (one source, one number, < 1 h apart)'],
  ['unique_ips', 'source addresses'],
  ['unique_asns', 'source ASNs'],
  ['unique_source_countries', 'source countries'],
  ['days', 'days with events'],
];

export async function overview(app: HTMLElement): Promise<void> {
  const [s, activity, dest] = await Promise.all([
    api<Summary>('/api/summary'),
    api<{ hourly: HourPhase[] }>('/api/activity'),
    api<{ source_countries: Shares[]; destination_countries: Shares[] }>('/api/destinations'),
  ]);
  const cards = el(
    'div',
    { class: 'cards', id: 'headline' },
    ...HEADLINES.map(([k, label]) =>
      el(
        'div',
        { class: 'card' },
        el('div', { class: 'n', id: 'count-' + k }, fmt(s[k])),
        el('div', { class: 'l' }, label),
      ),
    ),
  );
  const liveN = el('div', { class: 'n', id: 'live-count' }, '0');
  const findings = el('div', { id: 'findings' });
  app.append(
    el('h1', {}, 'Overview'),
    section(
      'Headline counts',
      'Counts over the whole store. Messages are SIP requests as received; calls are unified INVITEs.',
      cards,
    ),
    cite('Table 1'),
    section(
      'Live',
      'Events received since this page opened (pushed by the server within a second).',
      el(
        'div',
        { class: 'cards' },
        el('div', { class: 'card' }, liveN, el('div', { class: 'l' }, 'events since page opened')),
      ),
    ),
    section(
      'Activity per hour by phase',
      'Requests per UTC hour, each counted in one phase: abuse (INVITE to an external number), brute force (carries Authorization), scanning (OPTIONS or no target user), enumeration (names a user without Authorization). Last 168 hours with data.',
      hourlyChart(activity.hourly),
    ),
    section(
      'Source countries of calls',
      'Unified INVITEs by the country (RIR data) of their source address.',
      worldMap(dest.source_countries, 'calls'),
    ),
    section(
      'Destination countries of calls',
      'Unified INVITEs by the country of the number dialed.',
      worldMap(dest.destination_countries, 'calls'),
    ),
    cite('Figures 3 and 4'),
    section(
      'Latest findings',
      'New sources, cracked extensions, toll-fraud INVITEs and rogue-server candidates, as the sensor sees them.',
      findings,
    ),
  );
  let n = 0;
  openLive(
    '',
    (evs) => {
      n += evs.length;
      liveN.textContent = fmt(n);
    },
    (f: Finding) => {
      findings.prepend(el('div', { class: 'finding' }, findingText(f)));
      while (findings.childElementCount > 50) findings.lastElementChild?.remove();
    },
  );
  setInterval(() => {
    void api<Summary>('/api/summary').then((x) => {
      for (const [k] of HEADLINES) {
        const e = document.getElementById('count-' + k);
        if (e) e.textContent = fmt(x[k]);
      }
    });
  }, 3000);
}
