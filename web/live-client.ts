// One EventSource per page on /api/live; views subscribe to its messages.
export interface LiveEvent {
  event_id: string;
  ts: string;
  event: string;
  sensor: string;
  transport: string | null;
  src_ip: string;
  method: string | null;
  from_display: string | null;
  user_agent: string | null;
  response: number | null;
  dialed: string | null;
  auth_user: string | null;
  password_guess: string | null;
  reason: string | null;
}
export interface Finding {
  kind: string;
  ts: string;
  src_ip: string;
  user: string | null;
  detail: string | null;
  user_agent: string | null;
}

export function openLive(
  query: string,
  onEvents: (evs: LiveEvent[]) => void,
  onFinding: (f: Finding) => void,
): EventSource {
  const es = new EventSource('/api/live' + query);
  es.addEventListener('hello', (m) => {
    const d = JSON.parse((m as MessageEvent<string>).data) as { recent: Finding[] };
    for (const f of d.recent) onFinding(f);
  });
  es.addEventListener('events', (m) => {
    onEvents((JSON.parse((m as MessageEvent<string>).data) as { events: LiveEvent[] }).events);
  });
  es.addEventListener('finding', (m) => {
    onFinding(JSON.parse((m as MessageEvent<string>).data) as Finding);
  });
  return es;
}

const KIND: Record<string, string> = {
  new_source: 'new source',
  extension_cracked: 'extension cracked',
  toll_fraud_invite: 'toll-fraud INVITE',
  rogue_candidate: 'new rogue candidate',
};

export function findingText(f: Finding): string {
  const parts = [f.ts, KIND[f.kind] ?? f.kind, f.src_ip];
  if (f.user !== null) parts.push(`user/number ${f.user}`);
  if (f.detail !== null)
    parts.push(f.kind === 'extension_cracked' ? `password ${f.detail}` : f.detail);
  return parts.join(' · ');
}
