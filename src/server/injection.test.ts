/**
 * Query and path parameters cannot inject SQL. Every parameter of every
 * route the OpenAPI document lists (so a new route is covered the day it
 * is added) receives hostile values: quotes, comments, UNION, semicolons,
 * very long strings, unicode, NUL, crafted cursors. Each answer is a 400
 * (or 404 for a path naming nothing), or a 200 that says exactly what a
 * filter matching nothing says, or, for a value that really is stored (a
 * sensor or user agent named like an injection), exactly that row's data.
 * Never a 500, never rows the filter excludes; and no request value ever
 * appears in the text of an SQL statement (values travel as parameters).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createFixtureDb, type FixtureDb } from '../../test/fixtures/analysis/fixture-db.js';
import { encodeCursor } from '../analysis/queries/browse.js';
import { silentLogger } from '../log.js';
import type { Param, Queryable, Row } from '../store/queryable.js';
import { buildApp } from './app.js';
import { LIVE_OPENAPI } from './live-doc.js';
import { LiveFeed } from './live.js';
import { createMetrics } from './metrics.js';
import { installLive } from './sse.js';

/** A sensor id and a user agent stored as written: a filter for them must find that row only. */
const EVIL_SENSOR = "hp01' OR '1'='1";
const EVIL_UA = "' UNION SELECT password_guess FROM events --";
const SECRET = 'secret-password-9431';

const HOSTILE: readonly string[] = [
  "'",
  '"',
  "' OR '1'='1",
  "1' OR 1=1 --",
  "hp01' --",
  "hp01'/*",
  "x'); DROP TABLE events; --",
  '/* */',
  '-- ',
  "' UNION SELECT password_guess, 1, 2 FROM events --",
  '1 UNION ALL SELECT * FROM meta',
  '; SELECT 1',
  'a;b',
  '\\',
  '%',
  '_',
  '$1',
  '?',
  'NULL',
  "' || (SELECT password_guess FROM events LIMIT 1) || '",
  "2012-01-01' OR '1'='1",
  '2012-01-01; DROP TABLE events',
  '2012-02-30',
  '2012-01-01T00:00:00+99:00',
  '2012-01-01T23:59:60Z',
  '2012-02-30T00:00:00Z',
  '10; DROP TABLE events',
  '-1',
  '0',
  '1e400',
  '99999999999999999999999',
  '0x10',
  '[1]',
  '{}',
  '\u0000',
  'x\u0000y',
  'é',
  '\u202e',
  '😀',
  '＇ OR １=１',
  'ʼ OR 1=1',
  'x'.repeat(5000),
  '💥'.repeat(300),
  EVIL_SENSOR,
  EVIL_UA,
  encodeCursor(["'; DROP TABLE events; --", "' OR 1=1"]),
  encodeCursor(['2012-13-45 99:99:99', '192.0.2.1']),
  encodeCursor([1e20, '192.0.2.1']),
  encodeCursor([1.5, '192.0.2.1']),
  encodeCursor([null, null]),
  encodeCursor(['x']),
  encodeCursor(['2012-02-30T00:00:00.000Z', 'fx-00000001']),
];

/** Every SQL statement run, to check no request value is ever part of one. */
function recording(db: Queryable, log: string[]): Queryable {
  return {
    all(sql: string, params?: readonly Param[]): Promise<Row[]> {
      log.push(sql);
      return db.all(sql, params);
    },
  };
}

interface ParamDoc {
  name: string;
  in: 'query' | 'path';
  schema: { type?: string; enum?: unknown[] };
}

const STORED_IPS = ['192.0.2.1', '192.0.2.2', '192.0.2.3', '198.51.100.66'];

/** Whether `value` really matches stored data for `param` (then the answer is that data). */
function matchesStored(path: string, param: string, value: string): boolean {
  switch (param) {
    case 'sensor':
      return value === EVIL_SENSOR || value === 'hp01';
    case 'user_agent':
      return ['friendlyscanner', EVIL_UA].some((ua) =>
        ua.toLowerCase().includes(value.toLowerCase()),
      );
    case 'ip':
      return path === '/api/sources'
        ? STORED_IPS.some((ip) => ip.startsWith(value))
        : STORED_IPS.includes(value);
    case 'src_ip':
      return STORED_IPS.includes(value);
    case 'method':
      return value === 'REGISTER' || value === 'INVITE';
    case 'event':
      return value === 'sip.request';
    case 'number':
      return value === '+97259123';
    default:
      return false;
  }
}

/** A value of each text filter that passes validation and matches nothing stored. */
const NO_MATCH: Readonly<Record<string, string>> = {
  sensor: 'nosuchsensor',
  user_agent: 'nosuchagent',
  ip: 'ffff',
  src_ip: 'ffff::1',
  method: 'NOSUCH',
  event: 'no.such',
  cc: 'ZZ',
  number: '+999999',
};

describe('SQL injection through API parameters', { timeout: 300_000 }, () => {
  let fx: FixtureDb;
  let app: FastifyInstance;
  let base = '';
  const statements: string[] = [];
  const live = new LiveFeed();
  before(async () => {
    fx = await createFixtureDb();
    const rows = [];
    for (let i = 1; i <= 3; i++) {
      rows.push(
        { src_ip: `192.0.2.${i}`, method: 'REGISTER', to_user: '100', ua_label: 'friendlyscanner' },
        {
          src_ip: `192.0.2.${i}`,
          method: 'INVITE',
          dialed: '0097259123',
          dialed_number: '+97259123',
          dst_cc: 'IL',
          ts: '2012-01-01 03:00:00',
          ua_label: 'friendlyscanner',
        },
      );
    }
    rows.push({
      src_ip: '198.51.100.66',
      method: 'REGISTER',
      sensor: EVIL_SENSOR,
      ua_label: EVIL_UA,
      auth_user: '200',
      password_guess: SECRET,
      guess_source: 'configured',
      auth_ok: true,
      ts: '2012-01-02 04:00:00',
    });
    await fx.insertEvents(rows);
    await fx.insertCalls([{ src_ip: '192.0.2.1', dialed_number: '+97259123', dst_cc: 'IL' }]);
    const ctx = {
      db: recording(fx.db, statements),
      log: silentLogger(),
      metrics: createMetrics(),
      live,
      storeStatus: null,
    };
    app = buildApp(ctx, {
      token: null,
      documentedPaths: { '/api/live': LIVE_OPENAPI },
      plugins: [installLive],
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    base = `http://127.0.0.1:${typeof addr === 'object' && addr !== null ? addr.port : 0}`;
  });
  after(async () => {
    await app.close();
    await live.close();
    fx.close();
  });

  /** GET `path`: status and JSON body (a live stream: its status only, then closed). */
  async function get(path: string): Promise<{ status: number; body: unknown }> {
    const ac = new AbortController();
    const res = await fetch(base + path, { signal: ac.signal });
    if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
      ac.abort();
      return { status: res.status, body: null };
    }
    return { status: res.status, body: await res.json() };
  }

  async function routes(): Promise<[string, ParamDoc[]][]> {
    const doc = (await get('/api/openapi.json')).body as {
      paths: Record<string, { get: { parameters: ParamDoc[] } }>;
    };
    return Object.entries(doc.paths).map(([path, item]) => [path, item.get.parameters]);
  }

  /** `path` with `p` set to `value` (a path parameter filled in; others get a valid value). */
  function url(path: string, params: readonly ParamDoc[], p: ParamDoc, value: string): string {
    let out = path;
    for (const q of params.filter((x) => x.in === 'path')) {
      const v = q === p ? value : q.name === 'ip' ? '192.0.2.1' : '+97259123';
      out = out.replace(`{${q.name}}`, encodeURIComponent(v));
    }
    return p.in === 'query' ? `${out}?${p.name}=${encodeURIComponent(value)}` : out;
  }

  it('covers every route and parameter of the OpenAPI document', async () => {
    const all = await routes();
    const names = all.flatMap(([path, ps]) => ps.map((p) => `${path} ${p.name}`));
    // The routes that take filters from a user: each must be in the document.
    for (const must of [
      '/api/sources user_agent',
      '/api/sources cursor',
      '/api/sources/{ip} ip',
      '/api/events cursor',
      '/api/events src_ip',
      '/api/numbers/{number} number',
      '/api/summary sensor',
      '/api/live sensor',
    ]) {
      assert.ok(names.includes(must), must);
    }
    assert.ok(names.length >= 50, `${names.length} parameters`);
  });

  it('answers 400, 404 or exactly the no-match answer; never a 500 or more data', async () => {
    const failures: string[] = [];
    const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
    for (const [path, params] of await routes()) {
      for (const p of params) {
        const nm = NO_MATCH[p.name];
        const expected = nm === undefined ? null : await get(url(path, params, p, nm));
        // What a filter matching nothing answers holds none of the stored secret row.
        assert.ok(!JSON.stringify(expected).includes(SECRET), `${path} ${p.name}`);
        for (const value of HOSTILE) {
          if (matchesStored(path, p.name, value)) continue;
          const got = await get(url(path, params, p, value));
          const why = `${path} ${p.name}=${JSON.stringify(value.slice(0, 60))}`;
          const refused =
            got.status === 400 || (p.in === 'path' && (got.status === 404 || got.status === 414));
          if (path === '/api/live') {
            // A stream: no SQL behind it; it opens (filters match nothing) or refuses.
            if (got.status !== 200 && got.status !== 400) failures.push(`${why}: ${got.status}`);
          } else if (expected !== null && same(got, expected)) {
            // The same answer as a value that matches nothing: filtered, not widened.
          } else if (p.schema.type === 'integer' && got.status === 200) {
            // Coerced to a number ("0x10" is 16): the answer of that number, written plainly.
            const n = Number(value);
            if (!Number.isSafeInteger(n)) failures.push(`${why}: 200 for a non-integer`);
            else if (!same(got, await get(url(path, params, p, String(n))))) {
              failures.push(`${why}: 200 unlike ${n}`);
            }
          } else if (refused) {
            const error = (got.body as { error?: unknown } | null)?.error;
            if (typeof error !== 'string') failures.push(`${why}: ${got.status} without error`);
          } else {
            failures.push(`${why}: ${got.status} ${JSON.stringify(got.body).slice(0, 160)}`);
          }
        }
      }
    }
    assert.deepEqual(failures, []);
  });

  it('gives a value that is stored under an injection-like name exactly its own rows', async () => {
    const bySensor = (await get(`/api/summary?sensor=${encodeURIComponent(EVIL_SENSOR)}`))
      .body as Record<string, number>;
    assert.equal(bySensor['register_messages'], 1);
    assert.equal(bySensor['invite_messages'], 0);
    assert.equal(bySensor['unique_ips'], 1);
    const byUa = (await get(`/api/sources?user_agent=${encodeURIComponent(EVIL_UA)}`)).body as {
      items: { src_ip: string }[];
    };
    assert.deepEqual(
      byUa.items.map((r) => r.src_ip),
      ['198.51.100.66'],
    );
    const quote = (await get(`/api/sources?user_agent=${encodeURIComponent("'")}`)).body as {
      items: { src_ip: string }[];
    };
    assert.deepEqual(
      quote.items.map((r) => r.src_ip),
      ['198.51.100.66'],
    );
    const all = (await get('/api/summary')).body as Record<string, number>;
    assert.equal(all['register_messages'], 4, 'the store is whole after every attempt');
  });

  it('never puts a request value into SQL text', () => {
    assert.ok(statements.length > 100, `${statements.length} statements run`);
    const values = HOSTILE.filter((v) => v.length >= 4 && !/^[\w.-]+$/.test(v));
    for (const sql of statements) {
      for (const v of values) assert.ok(!sql.includes(v), `SQL holds ${JSON.stringify(v)}`);
    }
  });
});
