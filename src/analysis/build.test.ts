import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildReport } from './build.js';
import { createFixtureDb, type FixtureDb } from '../../test/fixtures/analysis/fixture-db.js';
import { loadScenario } from '../../test/fixtures/analysis/hand-made-scenario.js';
import type { Report } from './types.js';

describe('buildReport over the hand-made scenario', () => {
  let fx: FixtureDb;
  let r: Report;
  before(async () => {
    fx = await createFixtureDb();
    await loadScenario(fx);
    r = await buildReport(fx.db, { filter: {}, top: 10, now: () => new Date(0) });
  });
  after(() => {
    fx.close();
  });

  it('summary counts messages, unified INVITEs, sources and days like Table 1', () => {
    assert.deepEqual(
      {
        register: r.summary.register_messages,
        invite: r.summary.invite_messages,
        options: r.summary.options_messages,
        unified: r.summary.unified_invites,
        ips: r.summary.unique_ips,
        asns: r.summary.unique_asns,
        ccs: r.summary.unique_source_countries,
        days: r.summary.days,
        malformed: r.summary.malformed,
        geo: r.summary.geo_data_date,
      },
      {
        register: 12 + 6 + 25,
        invite: 2 + 8,
        options: 3,
        unified: 15,
        ips: 4,
        asns: 3,
        ccs: 3,
        days: 3,
        malformed: 1,
        geo: '2026-06-17',
      },
    );
    assert.equal(r.summary.first_ts, '2012-01-01T10:00:00.000Z');
  });

  it('user agents: shares of unified INVITEs per label and the customized share', () => {
    assert.deepEqual(
      r.user_agents.map((u) => [u.label, u.count]),
      [
        ['VaxSIPUserAgent/3.0', 8],
        ['undefined', 4],
        ['X-Lite release 1006e stamp 34025', 2],
        ['random', 1],
      ],
    );
    assert.equal(r.user_agents[0]?.share, 8 / 15);
    assert.equal(r.user_agents[0].family, 'VaxSIPUserAgent');
    assert.equal(r.user_agent_breakdown.customized_share, 13 / 15);
    const cats = Object.fromEntries(
      r.user_agent_breakdown.categories.map((c) => [c.name, c.count]),
    );
    assert.deepEqual(cats, { sdk: 8, undefined: 4, softphone: 2, random: 1 });
  });

  it('source countries and top sources rank by unified INVITEs', () => {
    assert.deepEqual(
      r.source_countries.map((c) => [c.cc, c.count]),
      [
        ['US', 8],
        ['DE', 6],
        ['CN', 1],
      ],
    );
    const hub = r.top_sources[0];
    assert.equal(hub?.ip, '2.2.2.2');
    assert.equal(hub.count, 8);
    assert.equal(hub.destination_countries, 8);
    assert.equal(hub.asn, 7922);
    assert.equal(hub.as_name, 'COMCAST');
    assert.equal(hub.user_agent, 'VaxSIPUserAgent/3.0');
    assert.equal(hub.share_of_country, 1);
    assert.equal(r.top_sources.length, 8);
  });

  it('rogue servers: only the hub stands out, with its robust z-score', () => {
    assert.deepEqual(
      r.rogue_servers.candidates.map((c) => c.ip),
      ['2.2.2.2'],
    );
    const c = r.rogue_servers.candidates[0]!;
    assert.ok(Math.abs(c.robust_z - 7 / (1.2533 * 0.875)) < 1e-9);
    assert.ok(Math.abs(c.entropy_bits - 3) < 1e-9);
    assert.equal(r.rogue_servers.callers, 8);
  });

  it('destinations: top numbers with country, type and distinct sources', () => {
    assert.deepEqual(r.destinations[0], {
      number: '+420212345678',
      country: 'CZ',
      type: 'FIXED_LINE',
      count: 6,
      invites: 6,
      sources: 6,
      label: null,
    });
    assert.deepEqual(r.destinations[1]?.number, '+97250000001');
    assert.equal(r.destinations[1].sources, 2);
    assert.deepEqual(
      r.number_types.map((t) => [t.type, t.count]),
      [
        ['FIXED_LINE', 13],
        ['MOBILE', 2],
      ],
    );
    assert.deepEqual(r.destination_countries[0], { cc: 'CZ', count: 7, share: 7 / 15 });
  });

  it('country pairs: DE->CZ leads with 6 of 15 calls', () => {
    assert.deepEqual(r.country_pairs[0], { source: 'DE', destination: 'CZ', count: 6, share: 0.4 });
    assert.equal(
      r.country_pairs.reduce((a, p) => a + p.count, 0),
      15,
    );
  });

  it('graph: the top sources with an edge per destination country', () => {
    assert.equal(r.graph[0]?.ip, '2.2.2.2');
    assert.equal(r.graph[0].edges.length, 8);
    assert.equal(r.graph[0].calls, 8);
  });

  it('phases: each source reaches the phases its messages show, and the funnel follows', () => {
    const by = Object.fromEntries(r.phases.sources.map((s) => [s.ip, s.phases]));
    assert.deepEqual(by['1.1.1.1'], ['scanning', 'enumeration', 'brute_force', 'abuse']);
    assert.deepEqual(by['2.2.2.2'], ['abuse']);
    assert.deepEqual(by['4.4.4.4'], ['brute_force']);
    assert.deepEqual(r.phases.totals, { scanning: 1, enumeration: 1, brute_force: 2, abuse: 2 });
    assert.deepEqual(
      r.phases.funnel.map((f) => f.sources),
      [1, 1, 1, 1],
    );
    const day2 = r.phases.daily.filter((d) => d.day === '2012-01-02');
    assert.deepEqual(
      day2.map((d) => [d.phase, d.sources, d.messages]),
      [
        ['brute_force', 1, 6],
        ['abuse', 1, 2],
      ],
    );
    const day3 = r.phases.daily.filter((d) => d.day === '2012-01-03');
    assert.deepEqual(
      day3.map((d) => [d.phase, d.sources, d.messages]),
      [
        ['brute_force', 1, 25],
        ['abuse', 1, 8],
      ],
    );
  });

  it('credentials: usernames, recovered guesses and the cracked extension', () => {
    assert.deepEqual(r.credentials.usernames[0], { username: '200', attempts: 25, sources: 1 });
    assert.equal(r.credentials.usernames.find((u) => u.username === '101')?.attempts, 7);
    assert.equal(r.credentials.passwords.length, 6);
    assert.deepEqual(
      r.credentials.cracked.map((c) => [c.username, c.passwords]),
      [['101', ['101']]],
    );
    assert.equal(r.credentials.auth_attempts, 6);
  });
});

describe('buildReport scope', () => {
  it('--from/--to and --sensor restrict every section to the same data', async () => {
    const fx = await createFixtureDb();
    try {
      await loadScenario(fx);
      const r = await buildReport(fx.db, {
        filter: { from: '2012-01-03', to: '2012-01-03' },
        top: 10,
      });
      assert.equal(r.summary.unified_invites, 8);
      assert.equal(r.summary.days, 1);
      assert.equal(r.summary.register_messages, 25);
      const none = await buildReport(fx.db, { filter: { sensor: "x' OR 1=1 --" }, top: 10 });
      assert.equal(none.summary.unified_invites, 0);
      assert.equal(none.summary.register_messages, 0);
    } finally {
      fx.close();
    }
  });
});
