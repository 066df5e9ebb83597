import { barChart } from '../charts';
import { api, cite, el, fmt, section, sourceLink, table } from '../dom';
import { openLive, type LiveEvent } from '../live-client';

interface Label {
  label: string;
  family?: string | null;
  category: string | null;
  count: number;
  share?: number;
}

export async function calls(app: HTMLElement): Promise<void> {
  const [d, pairs, rogue] = await Promise.all([
    api<{
      destinations: {
        number: string;
        country: string | null;
        type: string | null;
        count: number;
      }[];
    }>('/api/destinations'),
    api<{
      country_pairs: {
        source: string | null;
        destination: string | null;
        count: number;
        share: number;
      }[];
    }>('/api/country-pairs'),
    api<{
      candidates: {
        ip: string;
        destination_countries: number;
        calls: number;
        score_note: string;
      }[];
    }>('/api/rogue-servers'),
  ]);
  app.append(
    el('h1', {}, 'Calls and destinations'),
    section(
      'Top numbers',
      'Unified INVITEs (INVITEs from one source to one number less than an hour apart) per normalised number.',
      table(
        ['number', 'country', 'type', 'calls'],
        d.destinations.map((x) => [x.number, x.country, x.type, fmt(x.count)]),
        [3],
      ),
    ),
    cite('Table 4'),
    section(
      'Country pairs',
      'Unified INVITEs by source country and destination country.',
      table(
        ['source', 'destination', 'calls', 'share'],
        pairs.country_pairs
          .slice(0, 30)
          .map((p) => [p.source, p.destination, fmt(p.count), (p.share * 100).toFixed(1) + ' %']),
        [2, 3],
      ),
    ),
    cite('Table 5'),
    section(
      'Rogue VoIP server candidates',
      'Sources whose calls reach unusually many destination countries (at least 5, and an outlier among all callers).',
      table(
        ['source', 'countries', 'calls', 'why'],
        rogue.candidates.map((r) => [
          sourceLink(r.ip),
          fmt(r.destination_countries),
          fmt(r.calls),
          r.score_note,
        ]),
        [1, 2],
      ),
    ),
    cite('Table 3'),
  );
}

export async function tools(app: HTMLElement): Promise<void> {
  const u = await api<{ all_traffic: (Label & { sources: number })[]; calls: { labels: Label[] } }>(
    '/api/user-agents',
  );
  app.append(
    el('h1', {}, 'Tools'),
    section(
      'User agents of all traffic',
      'Every SIP request by its User-Agent label ("undefined" when absent, "random" for one-off random strings), with family and class.',
      barChart(
        u.all_traffic.map((x) => ({ label: x.label, count: x.count })),
        'requests',
      ),
      table(
        ['label', 'family', 'class', 'requests', 'sources'],
        u.all_traffic.map((x) => [
          x.label,
          x.family ?? null,
          x.category,
          fmt(x.count),
          fmt(x.sources),
        ]),
        [3, 4],
      ),
    ),
    section(
      'User agents of calls',
      'Unified INVITEs by the User-Agent of their first INVITE.',
      table(
        ['label', 'class', 'calls'],
        u.calls.labels.map((x) => [x.label, x.category, fmt(x.count)]),
        [2],
      ),
    ),
    cite('Table 2'),
  );
}

export async function credentials(app: HTMLElement): Promise<void> {
  const c = await api<Record<string, unknown>>('/api/credentials');
  const list = (k: string): Record<string, unknown>[] =>
    Array.isArray(c[k]) ? (c[k] as Record<string, unknown>[]) : [];
  const rows = (k: string): (string | null)[][] =>
    list(k).map((r) => Object.values(r).map((v) => (v === null ? null : fmt(v))));
  const head = (k: string): string[] => Object.keys(list(k)[0] ?? {});
  const parts = Object.keys(c).filter((k) => Array.isArray(c[k]));
  parts.sort((a, b) => (a.includes('crack') ? -1 : b.includes('crack') ? 1 : 0));
  app.append(
    el('h1', {}, 'Credentials'),
    el(
      'p',
      { class: 'what' },
      'Cracked extensions first (a digest that matched the configured password), then guessed passwords and usernames tried, from digest Authorization headers.',
    ),
    ...parts.map((k) =>
      section(k.replace(/_/g, ' '), `${list(k).length} rows.`, table(head(k), rows(k))),
    ),
  );
}

export function live(app: HTMLElement): void {
  const params = new URLSearchParams(location.search);
  const q = new URLSearchParams();
  for (const k of ['method', 'src_ip']) {
    const v = params.get(k);
    if (v) q.set(k, v);
  }
  const body = el('tbody', { id: 'live-rows' });
  const form = el(
    'form',
    { class: 'filters' },
    el('input', {
      name: 'method',
      placeholder: 'method (INVITE)',
      value: params.get('method') ?? '',
    }),
    el('input', {
      name: 'src_ip',
      placeholder: 'source address',
      value: params.get('src_ip') ?? '',
    }),
    el('button', { type: 'submit' }, 'filter'),
  );
  app.append(
    el('h1', {}, 'Live'),
    section(
      'Event stream',
      'Every event the sensor records, newest first, pushed by the server within a second (at most 200 per quarter second; the rest are counted, not shown).',
      form,
      el(
        'table',
        {},
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ...[
              'time',
              'source',
              'method',
              'response',
              'from display',
              'user agent',
              'dialed',
              'user',
            ].map((h) => el('th', {}, h)),
          ),
        ),
        body,
      ),
    ),
  );
  openLive(
    q.size > 0 ? '?' + q.toString() : '',
    (evs: LiveEvent[]) => {
      for (const e of evs) {
        body.prepend(
          el(
            'tr',
            {},
            ...[
              e.ts,
              sourceLink(e.src_ip),
              e.method ?? e.event,
              e.response,
              e.from_display,
              e.user_agent,
              e.dialed,
              e.auth_user,
            ].map((c) => el('td', {}, c)),
          ),
        );
      }
      while (body.childElementCount > 300) body.lastElementChild?.remove();
    },
    () => undefined,
  );
}
