/**
 * @module
 * One hand-made attack scenario with known answers, shared by the analyses'
 * tests, the renderers' tests and the report integration tests:
 *   1.1.1.1 (CN)  scans (3 OPTIONS), enumerates 12 users, brute-forces user
 *                 101 (6 guesses, the last one right), then calls Israel twice
 *   2.2.2.2 (US)  a hub: 8 unified INVITEs to 8 countries (VaxSIPUserAgent)
 *   3.3.3.1-6 (DE) one call each to the same Czech number
 *   4.4.4.4 (NL)  a legacy-log brute forcer: 25 bare REGISTERs for user 200
 * Test data only; never applied to a real store.
 */
import type { CallRow, EventRow, FixtureDb } from './fixture-db.js';

export const HUB_COUNTRIES = ['IL', 'CZ', 'RU', 'ZW', 'GB', 'DE', 'FR', 'EG'] as const;

/** Events of the scenario. */
export function scenarioEvents(): EventRow[] {
  const ev: EventRow[] = [];
  const a = {
    src_ip: '1.1.1.1',
    src_cc: 'CN',
    src_asn: 4134,
    src_as_name: 'CHINANET',
    ua_label: 'friendly-scanner',
    user_agent: 'friendly-scanner',
  };
  for (let i = 0; i < 3; i++) {
    ev.push({
      ...a,
      ts: `2012-01-01 10:00:0${i}`,
      method: 'OPTIONS',
      ruri_user: '100',
      to_user: '100',
    });
  }
  for (let u = 100; u < 112; u++) {
    ev.push({
      ...a,
      ts: '2012-01-01 10:01:00',
      method: 'REGISTER',
      to_user: String(u),
      from_user: String(u),
    });
  }
  for (let g = 0; g < 6; g++) {
    const ok = g === 5;
    ev.push({
      ...a,
      ts: `2012-01-02 08:00:0${g}`,
      method: 'REGISTER',
      to_user: '101',
      from_user: '101',
      auth_user: '101',
      auth_ok: ok,
      password_guess: ok ? '101' : `pw${g}`,
      guess_source: ok ? 'configured' : 'sipvicious_tag',
    });
  }
  for (let i = 0; i < 2; i++) {
    ev.push({
      ...a,
      ts: '2012-01-02 09:00:00',
      method: 'INVITE',
      ruri_user: '0097250000001',
      dialed: '0097250000001',
      dialed_number: '+97250000001',
      dst_cc: 'IL',
      number_type: 'MOBILE',
      number_kind: 'external',
      ua_label: 'undefined',
      user_agent: null,
    });
  }
  for (const cc of HUB_COUNTRIES) {
    ev.push({
      src_ip: '2.2.2.2',
      src_cc: 'US',
      src_asn: 7922,
      src_as_name: 'COMCAST',
      ts: '2012-01-03 12:00:00',
      method: 'INVITE',
      ruri_user: `00${cc}`,
      dialed_number: `+${cc}1`,
      dst_cc: cc,
      number_kind: 'external',
      user_agent: 'VaxSIPUserAgent/3.0',
      ua_label: 'VaxSIPUserAgent/3.0',
      ua_family: 'VaxSIPUserAgent',
      ua_category: 'sdk',
    });
  }
  for (let i = 0; i < 25; i++) {
    ev.push({
      src_ip: '4.4.4.4',
      src_cc: 'NL',
      src_asn: 1136,
      ts: '2012-01-03 13:00:00',
      method: 'REGISTER',
      to_user: '200',
      from_user: '200',
    });
  }
  ev.push({
    event: 'sip.malformed',
    src_ip: '5.5.5.5',
    ts: '2012-01-03 14:00:00',
    reason: 'no_request_line',
  });
  return ev;
}

/** Unified INVITEs of the scenario (15 calls). */
export function scenarioCalls(): CallRow[] {
  const calls: CallRow[] = [
    {
      src_ip: '1.1.1.1',
      dialed_number: '+97250000001',
      invites: 2,
      src_cc: 'CN',
      src_asn: 4134,
      dst_cc: 'IL',
      number_type: 'MOBILE',
      ua_label: 'undefined',
      ua_category: 'undefined',
      first_ts: '2012-01-02 09:00:00',
    },
  ];
  HUB_COUNTRIES.forEach((cc, i) => {
    calls.push({
      src_ip: '2.2.2.2',
      dialed_number: i === 0 ? '+97250000001' : `+${cc}1`,
      src_cc: 'US',
      src_asn: 7922,
      dst_cc: cc,
      number_type: i === 0 ? 'MOBILE' : 'FIXED_LINE',
      ua_label: 'VaxSIPUserAgent/3.0',
      ua_category: 'sdk',
      first_ts: '2012-01-03 12:00:00',
    });
  });
  const uas: [string, string][] = [
    ['X-Lite release 1006e stamp 34025', 'softphone'],
    ['X-Lite release 1006e stamp 34025', 'softphone'],
    ['random', 'random'],
    ['undefined', 'undefined'],
    ['undefined', 'undefined'],
    ['undefined', 'undefined'],
  ];
  uas.forEach(([label, cat], i) => {
    calls.push({
      src_ip: `3.3.3.${i + 1}`,
      dialed_number: '+420212345678',
      src_cc: 'DE',
      src_asn: 3320,
      dst_cc: 'CZ',
      number_type: 'FIXED_LINE',
      ua_label: label,
      ua_category: cat,
      first_ts: '2012-01-04 00:00:00',
    });
  });
  return calls;
}

/** Loads the whole scenario into a fixture store. */
export async function loadScenario(fx: FixtureDb): Promise<void> {
  await fx.insertEvents(scenarioEvents());
  await fx.insertCalls(scenarioCalls());
  await fx.setMeta('geo_data_date', '2026-06-17');
}
