/**
 * The curl examples of docs/api.md, run against a real server over a small
 * store: each documented path answers 200 with JSON.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fixtureServer } from '../../test/helpers/fixture-server.js';
import { REPO_ROOT } from '../../test/helpers/shared.js';

const DOC = readFileSync(`${REPO_ROOT}/docs/api.md`, 'utf8');
const EXAMPLES = [...DOC.matchAll(/^curl -s '?http:\/\/127\.0\.0\.1:8080(\/[^'\s]*)'?$/gm)].map(
  (m) => m[1]!,
);

describe('docs/api.md examples', () => {
  const running = fixtureServer(async (fx) => {
    await fx.insertEvents([
      { src_ip: '192.0.2.1', method: 'REGISTER', to_user: '100', ts: '2012-01-01 01:00:00' },
      { src_ip: '192.0.2.1', method: 'INVITE', dialed: '0097259123', ts: '2012-01-01 02:00:00' },
    ]);
  });

  it('documents at least ten examples', () => {
    assert.ok(EXAMPLES.length >= 10, `found ${EXAMPLES.length}`);
  });

  it('answers every documented example with 200 and JSON', async () => {
    for (const path of EXAMPLES) {
      const res = await fetch(new URL(path, running.server.url));
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', /json/, path);
      await res.json();
    }
  });
});
