import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixtureServer } from '../../test/helpers/fixture-server.js';
import { buildReport } from '../analysis/build.js';
import { decodeReport, encodeOptions, MAX_REQUEST_BYTES } from '../analysis/remote.js';
import { statusRoutes } from './report-route.js';

const TOKEN = 'report-route-token';

describe('POST /api/report and GET /api/status', () => {
  let generation = 0;
  let builds = 0;
  const running = fixtureServer(
    async (fx) => {
      await fx.insertEvents([
        { src_ip: '192.0.2.1', method: 'REGISTER', src_cc: 'NL', src_asn: 64500 },
        { src_ip: '198.51.100.7', method: 'INVITE', src_cc: 'US', ts: '2012-01-02 10:00:00' },
      ]);
    },
    (fx) => ({
      token: TOKEN,
      routes: [statusRoutes(() => ({ stored: 2, failing: false }))],
      report: {
        generation: () => generation,
        build: (opts) => {
          builds++;
          return buildReport(fx.db, opts);
        },
      },
    }),
  );
  const ask = (body: string, token: string | null = TOKEN): Promise<Response> =>
    fetch(new URL('/api/report', running.server.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token === null ? {} : { authorization: `Bearer ${token}` }),
      },
      body,
    });
  const options = encodeOptions({ filter: {}, top: 5 });

  it('answers the report a local build gives, once per store generation', async () => {
    const res = await ask(options);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const report = decodeReport(await res.text());
    const local = await buildReport(running.fx.db, { filter: {}, top: 5 });
    assert.deepEqual(report.summary, JSON.parse(JSON.stringify(local.summary)));
    assert.equal(report.summary.register_messages, 1);
    assert.equal(builds, 1);
    // Same store, same options: from the cache, even when asked twice at once.
    await Promise.all([ask(options), ask(options)]);
    assert.equal(builds, 1);
    // Other options: a build of their own.
    assert.equal((await ask(encodeOptions({ filter: { sensor: 'x' }, top: 5 }))).status, 200);
    assert.equal(builds, 2);
    // New rows committed: the next report sees them.
    await running.fx.insertEvents([{ src_ip: '192.0.2.9', method: 'REGISTER' }]);
    generation++;
    const again = decodeReport(await (await ask(options)).text());
    assert.equal(again.summary.register_messages, 2);
    assert.equal(builds, 3);
  });

  it('refuses a bad, oversized or unauthenticated request', async () => {
    const bad = await ask('{"filter":{},"top":0}');
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /top must be a positive integer/);
    assert.equal((await ask('not json')).status, 400);
    assert.equal((await ask(' '.repeat(MAX_REQUEST_BYTES + 10))).status, 413);
    assert.equal((await ask(options, null)).status, 401);
    assert.equal((await ask(options, 'wrong')).status, 401);
    const get = await fetch(new URL('/api/report', running.server.url), {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.equal(get.status, 404);
  });

  it('gives the writer counts on /api/status', async () => {
    const res = await fetch(new URL('/api/status', running.server.url), {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    assert.deepEqual(await res.json(), { stored: 2, failing: false });
  });

  it('documents both in the OpenAPI document', async () => {
    const res = await fetch(new URL('/api/openapi.json', running.server.url), {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    assert.ok(doc.paths['/api/report']?.['post'], 'POST /api/report documented');
    assert.ok(doc.paths['/api/status']?.['get'], 'GET /api/status documented');
  });
});
