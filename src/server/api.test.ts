import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixtureServer } from '../../test/helpers/fixture-server.js';

describe('API endpoints', () => {
  const running = fixtureServer(async (fx) => {
    const rows = [];
    for (let i = 0; i < 5; i++) {
      rows.push({
        src_ip: `192.0.2.${i + 1}`,
        method: 'OPTIONS',
        src_cc: 'NL',
        ts: `2012-01-01 0${i}:00:00`,
      });
    }
    rows.push(
      { src_ip: '192.0.2.1', method: 'REGISTER', to_user: '100', ts: '2012-01-01 01:00:00' },
      {
        src_ip: '192.0.2.1',
        method: 'REGISTER',
        to_user: '100',
        auth_user: '100',
        password_guess: '1234',
        guess_source: 'configured',
        auth_ok: true,
        ts: '2012-01-01 02:00:00',
      },
      {
        src_ip: '192.0.2.1',
        method: 'INVITE',
        dialed: '0097259123',
        dialed_number: '+97259123',
        dst_cc: 'IL',
        number_kind: 'external',
        ts: '2012-01-01 03:00:00',
      },
    );
    await fx.insertEvents(rows);
    await fx.insertCalls([
      { src_ip: '192.0.2.1', dialed_number: '+97259123', dst_cc: 'IL', src_cc: 'NL' },
    ]);
  });
  const get = async (path: string): Promise<{ status: number; body: Record<string, unknown> }> => {
    const res = await fetch(new URL(path, running.server.url));
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  it('pages sources with a cursor, without repeating or skipping', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 10; i++) {
      const page: { status: number; body: Record<string, unknown> } = await get(
        `/api/sources?sort=messages&limit=2${cursor === null ? '' : '&cursor=' + cursor}`,
      );
      assert.equal(page.status, 200);
      const items = page.body['items'] as { src_ip: string }[];
      seen.push(...items.map((r) => r.src_ip));
      cursor = page.body['next_cursor'] as string | null;
      if (cursor === null) break;
    }
    assert.equal(seen.length, 5);
    assert.equal(new Set(seen).size, 5);
    assert.equal(seen[0], '192.0.2.1');
    assert.equal((await get('/api/sources?cursor=notacursor')).status, 400);
    assert.equal((await get('/api/sources?sort=messages;DROP TABLE events')).status, 400);
  });

  it("tells one source's story with its cracked password", async () => {
    const { status, body } = await get('/api/sources/192.0.2.1');
    assert.equal(status, 200);
    assert.deepEqual(body['cracked'], [
      { user: '100', password: '1234', ts: '2012-01-01T02:00:00.000Z' },
    ]);
    const phases = (body['phases'] as { phase: string }[]).map((p) => p.phase);
    assert.deepEqual(phases, ['scanning', 'enumeration', 'brute_force', 'abuse']);
    assert.equal((body['numbers'] as { country: string }[])[0]?.country, 'IL');
    assert.equal((await get('/api/sources/192.0.2.99')).status, 404);
  });

  it('answers every section', async () => {
    for (const path of [
      '/api/user-agents',
      '/api/destinations',
      '/api/numbers/+97259123',
      '/api/country-pairs',
      '/api/rogue-servers',
      '/api/phases',
      '/api/credentials',
      '/api/events?limit=3',
      '/api/metadata',
    ]) {
      const { status } = await get(path);
      assert.equal(status, 200, path);
    }
    // The overview's chart: the hourly series of /api/phases, without the classification.
    const activity = await get('/api/activity?hours=48');
    const phases = await get('/api/phases?hours=48');
    assert.equal(activity.status, 200);
    assert.ok((activity.body['hourly'] as unknown[]).length > 0);
    assert.deepEqual(activity.body['hourly'], phases.body['hourly']);
    const ev = await get('/api/events?limit=3&method=OPTIONS');
    assert.equal((ev.body['items'] as unknown[]).length, 3);
    assert.ok(ev.body['next_cursor']);
  });
});
