// The only way the dashboard builds DOM: text always goes through textContent
// (never innerHTML), attributes through setAttribute on a fixed list, so an
// attacker's User-Agent, display name or dialed string stays text.
export type Child = Node | string | number | null | undefined | false;

const SAFE_ATTRS = new Set([
  'class',
  'href',
  'title',
  'name',
  'value',
  'type',
  'placeholder',
  'id',
  'for',
  'colspan',
]);

export function el(
  tag: string,
  attrs: Record<string, string> = {},
  ...children: Child[]
): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (!SAFE_ATTRS.has(k)) throw new Error(`attribute ${k} not allowed`);
    if (k === 'href' && !v.startsWith('/')) throw new Error('only local links');
    e.setAttribute(k, v);
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    e.append(
      typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c,
    );
  }
  return e;
}

export function fmt(n: unknown): string {
  return typeof n === 'number'
    ? n.toLocaleString('en-US')
    : n === null || n === undefined
      ? '—'
      : typeof n === 'string' || typeof n === 'boolean'
        ? String(n)
        : JSON.stringify(n);
}

export function table(head: string[], rows: Child[][], numeric: number[] = []): HTMLElement {
  return el(
    'table',
    {},
    el(
      'thead',
      {},
      el('tr', {}, ...head.map((h, i) => el('th', numeric.includes(i) ? { class: 'num' } : {}, h))),
    ),
    el(
      'tbody',
      {},
      ...rows.map((r) =>
        el('tr', {}, ...r.map((c, i) => el('td', numeric.includes(i) ? { class: 'num' } : {}, c))),
      ),
    ),
  );
}

export async function api<T>(path: string): Promise<T> {
  const res = await fetch(path, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

export function section(title: string, what: string, ...children: Child[]): HTMLElement {
  return el('section', {}, el('h2', {}, title), el('p', { class: 'what' }, what), ...children);
}

export function cite(what: string): HTMLElement {
  return el(
    'p',
    { class: 'cite' },
    `Reproduces ${what} of "Anatomy of SIP Attacks", CERT.br, 2012.`,
  );
}

export function sourceLink(ip: string): HTMLElement {
  return el('a', { href: '/sources/' + encodeURIComponent(ip) }, ip);
}
