import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SnareError } from '../errors.js';
import { defaultConfig } from './defaults.js';
import { loadConfig, MAX_WORDLIST_BYTES } from './load.js';
import { CONFIG_KEYS, envName } from './schema.js';

const dir = mkdtempSync(join(tmpdir(), 'snare-config-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof SnareError);
    assert.equal(err.code, 'SNARE_ERR_CONFIG');
    return err.message;
  }
  assert.fail('expected a config error');
}

describe('loadConfig', () => {
  it('gives safe loopback defaults with no file at all', () => {
    const c = loadConfig();
    assert.deepEqual(c.listen, ['udp://127.0.0.1:5060', 'tcp://127.0.0.1:5060']);
    assert.equal(c.events.jsonl, 'var/events');
    assert.equal(c.store.db, 'var/sipsnare.duckdb');
    assert.equal(c.http.listen, '127.0.0.1:8080');
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.limits) && Object.isFrozen(c.extensions));
  });

  it('layers defaults < file < environment < flags', () => {
    const p = file(
      'layers.yaml',
      'sensor_id: from-file\nlimits:\n  max_headers: 50\n  tcp_max_per_source: 3\n',
    );
    const c = loadConfig({
      file: p,
      env: { SIPSNARE_SENSOR_ID: 'from-env', SIPSNARE_LIMITS_MAX_HEADERS: '60' },
      flags: { sensor_id: 'from-flag' },
    });
    assert.equal(c.sensor_id, 'from-flag');
    assert.equal(c.limits.max_headers, 60);
    assert.equal(c.limits.tcp_max_per_source, 3);
    assert.equal(c.limits.tcp_idle_timeout_ms, defaultConfig().limits.tcp_idle_timeout_ms);
  });

  it('names the key and the bad value', () => {
    const msg = configError(() =>
      loadConfig({ env: { SIPSNARE_LIMITS_TCP_MAX_CONNECTIONS: 'abc' } }),
    );
    assert.match(
      msg,
      /^config: limits\.tcp_max_connections: expected a positive integer, got "abc"/,
    );
    const p = file('bad.yaml', 'dial:\n  default: 99\n');
    assert.match(
      configError(() => loadConfig({ file: p })),
      /dial\.default: expected a SIP final status code/,
    );
    const accept = file('accept.yaml', 'dial:\n  default: 200\n');
    assert.match(
      configError(() => loadConfig({ file: accept })),
      /dial\.default: expected a SIP final status code from 300 to 699 \(the sensor never accepts a call/,
    );
    const rule = file('rule.yaml', 'dial:\n  rules:\n    - {pattern: "^00", response: 202}\n');
    assert.match(
      configError(() => loadConfig({ file: rule })),
      /dial\.rules.*never 2xx/,
    );
  });

  it('rejects unknown keys, even nested ones', () => {
    assert.match(
      configError(() => loadConfig({ file: file('u1.yaml', 'sensorid: x\n') })),
      /unknown key "sensorid"/,
    );
    assert.match(
      configError(() => loadConfig({ file: file('u2.yaml', 'limits:\n  max_header: 5\n') })),
      /unknown key "limits\.max_header"/,
    );
  });

  it('rejects bad listener URLs, duplicate extensions and invalid dial patterns', () => {
    assert.match(
      configError(() => loadConfig({ flags: { listen: ['udp://example.com:5060'] } })),
      /^config: listen:/,
    );
    assert.match(
      configError(() =>
        loadConfig({
          file: file(
            'd.yaml',
            'extensions:\n  - {number: "1", password: a}\n  - {number: "1", password: b}\n',
          ),
        }),
      ),
      /twice/,
    );
    assert.match(
      configError(() =>
        loadConfig({
          file: file('r.yaml', 'dial:\n  rules:\n    - {pattern: "(", response: 486}\n'),
        }),
      ),
      /dial\.rules/,
    );
  });

  it('accepts IPv6 listeners and numeric extension numbers', () => {
    const c = loadConfig({
      file: file(
        'v6.yaml',
        'listen: ["udp://[::1]:5070", "tls://0.0.0.0:5061"]\nextensions:\n  - {number: 100, password: 1234}\n',
      ),
    });
    assert.deepEqual(c.listen, ['udp://[::1]:5070', 'tls://0.0.0.0:5061']);
    assert.deepEqual(c.extensions, [{ number: '100', password: '1234' }]);
  });

  it('reads a wordlist file and refuses one that is too large', () => {
    const wl = file('words.txt', 'alpha\r\nbeta\n\ngamma\n');
    assert.deepEqual(loadConfig({ flags: { 'credentials.wordlist': wl } }).credentials.wordlist, [
      'alpha',
      'beta',
      'gamma',
    ]);
    const big = file('big.txt', 'x'.repeat(MAX_WORDLIST_BYTES + 1));
    assert.match(
      configError(() => loadConfig({ flags: { 'credentials.wordlist': big } })),
      /at most/,
    );
  });

  it('requires a token when the dashboard leaves loopback', () => {
    assert.match(
      configError(() => loadConfig({ env: { SIPSNARE_HTTP_LISTEN: '0.0.0.0:8080' } })),
      /http\.token/,
    );
    assert.equal(
      loadConfig({ env: { SIPSNARE_HTTP_LISTEN: '0.0.0.0:8080', SIPSNARE_HTTP_TOKEN: 'x' } }).http
        .token,
      'x',
    );
  });

  it('reads comma lists from the environment', () => {
    const c = loadConfig({ env: { [envName('listen')]: 'udp://127.0.0.1:1, tcp://[::1]:2' } });
    assert.deepEqual(c.listen, ['udp://127.0.0.1:1', 'tcp://[::1]:2']);
  });

  it('has a default and a doc for every key, and every default passes its own check', () => {
    for (const k of CONFIG_KEYS) {
      assert.ok(k.doc.length > 10, k.key);
      assert.ok(k.check(k.default).ok, k.key);
    }
  });

  it('reports invalid YAML without throwing anything else', () => {
    assert.match(
      configError(() => loadConfig({ file: file('y.yaml', 'a: [1,\n') })),
      /invalid YAML/,
    );
  });
});
