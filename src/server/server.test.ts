import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixtureServer } from '../../test/helpers/fixture-server.js';
import { FINDING_KINDS } from './findings.js';
import { LIVE_FIELDS } from './live.js';
import { checkBind, parseHostPort } from './start.js';

interface SchemaDoc {
  properties: Record<string, SchemaDoc & { enum?: unknown[]; items?: SchemaDoc }>;
}
interface LiveDoc {
  parameters: { name: string }[];
  responses: Record<
    string,
    { content: Record<string, { 'x-sse-messages': Record<string, SchemaDoc> }> } | undefined
  >;
}

describe('server skeleton', () => {
  const running = fixtureServer(async (fx) => {
    await fx.insertEvents([
      { src_ip: '192.0.2.1', method: 'REGISTER', src_cc: 'NL', src_asn: 64500 },
      { src_ip: '192.0.2.1', method: 'REGISTER', src_cc: 'NL', src_asn: 64500 },
      { src_ip: '198.51.100.7', method: 'INVITE', src_cc: 'US', ts: '2012-01-02 10:00:00' },
    ]);
    await fx.insertCalls([{ src_ip: '198.51.100.7', dialed_number: '+972599000000' }]);
  });

  it('answers /healthz', async () => {
    const res = await fetch(new URL('/healthz', running.server.url));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { status: 'ok' });
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'/);
    assert.equal(res.headers.get('access-control-allow-origin'), null);
  });

  it('serves the report summary with its field names', async () => {
    const res = await fetch(new URL('/api/summary', running.server.url));
    const body = (await res.json()) as Record<string, number>;
    assert.equal(body['register_messages'], 2);
    assert.equal(body['invite_messages'], 1);
    assert.equal(body['unified_invites'], 1);
    assert.equal(body['unique_ips'], 2);
    assert.equal(body['days'], 2);
    const day = (await (
      await fetch(new URL('/api/summary?from=2012-01-02', running.server.url))
    ).json()) as Record<string, number>;
    assert.equal(day['register_messages'], 0);
    assert.equal(day['invite_messages'], 1);
  });

  it('refuses unknown and malformed query parameters with 400', async () => {
    for (const q of [
      '?bogus=1',
      '?from=2012-02-30',
      "?from=2012-01-01' OR 1=1 --",
      '?sensor=' + 'x'.repeat(65),
    ]) {
      const res = await fetch(new URL('/api/summary' + q, running.server.url));
      assert.equal(res.status, 400, q);
    }
  });

  it('documents its routes in /api/openapi.json', async () => {
    const doc = (await (await fetch(new URL('/api/openapi.json', running.server.url))).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    assert.equal(doc.openapi, '3.1.0');
    assert.ok(doc.paths['/api/summary']);
  });

  it('documents the live feed: its filters, media type and every message', async () => {
    const doc = (await (await fetch(new URL('/api/openapi.json', running.server.url))).json()) as {
      paths: Record<string, { get: LiveDoc }>;
    };
    const live = doc.paths['/api/live']?.get;
    assert.ok(live, '/api/live is in the document');
    assert.deepEqual(live.parameters.map((p) => p.name).sort(), ['method', 'sensor', 'src_ip']);
    const media = live.responses['200']?.content['text/event-stream'];
    assert.ok(media);
    const messages = media['x-sse-messages'];
    assert.deepEqual(Object.keys(messages).sort(), ['events', 'finding', 'hello']);
    const eventProps = Object.keys(
      messages['events']?.properties['events']?.items?.properties ?? {},
    );
    assert.deepEqual(eventProps, [...LIVE_FIELDS]);
    assert.deepEqual(messages['finding']?.properties['kind']?.enum, [...FINDING_KINDS]);
  });
});

describe('bind and token', () => {
  it('parses HOST:PORT and refuses a non-loopback bind without a token', () => {
    assert.deepEqual(parseHostPort('[::1]:8080'), { host: '::1', port: 8080 });
    assert.deepEqual(parseHostPort('127.0.0.2:0'), { host: '127.0.0.2', port: 0 });
    assert.throws(() => parseHostPort('8080'));
    assert.throws(() => {
      checkBind('0.0.0.0', null);
    }, /requires a token/);
    checkBind('127.0.0.1', null);
    checkBind('0.0.0.0', 's3cret');
  });
});

describe('token', () => {
  // Bound to every address (not loopback), reached through loopback only.
  const running = fixtureServer(
    () => Promise.resolve(),
    () => ({ listen: '0.0.0.0:0', token: 'tok-123' }),
  );

  it('answers 401 without the token, 200 with it, and turns ?token= into a cookie', async () => {
    const port = new URL(running.server.url).port;
    const base = `http://127.0.0.1:${port}`;
    assert.equal((await fetch(`${base}/api/summary`)).status, 401);
    assert.equal((await fetch(`${base}/metrics`)).status, 401);
    assert.equal((await fetch(`${base}/`)).status, 401);
    const wrong = await fetch(`${base}/api/summary`, {
      headers: { authorization: 'Bearer tok-12' },
    });
    assert.equal(wrong.status, 401);
    const ok = await fetch(`${base}/api/summary`, { headers: { authorization: 'Bearer tok-123' } });
    assert.equal(ok.status, 200);
    const first = await fetch(`${base}/sources?token=tok-123&x=1`, { redirect: 'manual' });
    assert.equal(first.status, 303);
    assert.equal(first.headers.get('location'), '/sources?x=1');
    const cookie = first.headers.get('set-cookie') ?? '';
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const withCookie = await fetch(`${base}/api/summary`, {
      headers: { cookie: cookie.split(';')[0] ?? '' },
    });
    assert.equal(withCookie.status, 200);
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
  });
});
