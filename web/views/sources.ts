import { api, el, fmt, section, sourceLink, table } from '../dom';

interface SourceRow {
  src_ip: string;
  messages: number;
  first_ts: string;
  last_ts: string;
  registers: number;
  invites: number;
  auth_attempts: number;
  cracked: boolean | null;
  cc: string | null;
  asn: number | null;
  user_agent: string | null;
  sensors: number;
}

const SORTS = ['messages', 'last_ts', 'first_ts', 'invites', 'auth_attempts', 'ip'];

export async function sources(app: HTMLElement): Promise<void> {
  const params = new URLSearchParams(location.search);
  const q = new URLSearchParams();
  for (const k of ['sort', 'order', 'cc', 'ip', 'user_agent', 'cursor']) {
    const v = params.get(k);
    if (v) q.set(k, v);
  }
  const page = await api<{ items: SourceRow[]; next_cursor: string | null }>(
    '/api/sources?' + q.toString(),
  );
  const input = (name: string, ph: string): HTMLElement =>
    el('input', { name, placeholder: ph, value: params.get(name) ?? '' });
  const sortSel = el(
    'select',
    { name: 'sort' },
    ...SORTS.map((s) => {
      const o = el('option', { value: s }, 'sort: ' + s) as HTMLOptionElement;
      o.selected = (params.get('sort') ?? 'messages') === s;
      return o;
    }),
  );
  const form = el(
    'form',
    { class: 'filters' },
    input('ip', 'address prefix'),
    input('cc', 'country (NL)'),
    input('user_agent', 'user agent contains'),
    sortSel,
    el('button', { type: 'submit' }, 'filter'),
  );
  const rows = page.items.map((r) => [
    sourceLink(r.src_ip),
    r.cc,
    r.asn,
    r.messages,
    r.registers,
    r.invites,
    r.auth_attempts,
    r.cracked === true ? 'yes' : '',
    r.user_agent,
    r.sensors,
    r.first_ts,
    r.last_ts,
  ]);
  const next = new URLSearchParams(q);
  if (page.next_cursor !== null) next.set('cursor', page.next_cursor);
  app.append(
    el('h1', {}, 'Sources'),
    section(
      'Source addresses',
      'One row per source address: all its messages in the store (REGISTERs, INVITEs, messages with an Authorization header), its country and AS (RIR data), its most frequent User-Agent. Open an address for its story.',
      form,
      table(
        [
          'address',
          'country',
          'ASN',
          'messages',
          'REGISTER',
          'INVITE',
          'auth attempts',
          'cracked',
          'user agent',
          'sensors',
          'first',
          'last',
        ],
        rows.map((r) => r.map((c) => (typeof c === 'number' ? fmt(c) : c))),
        [3, 4, 5, 6, 9],
      ),
      page.next_cursor !== null
        ? el('a', { href: '/sources?' + next.toString() }, 'next page →')
        : null,
    ),
  );
}
