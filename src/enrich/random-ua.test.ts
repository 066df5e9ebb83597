import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRandomUserAgent } from './random-ua.js';
import { REAL_AGENTS, randomStrings } from './user-agent-samples.js';

describe('isRandomUserAgent', () => {
  it('detects at least 99.8% of generated 20-character random strings', () => {
    const samples = randomStrings(20_000, 20, 42);
    const missed = samples.filter((s) => !isRandomUserAgent(s)).length;
    const rate = missed / samples.length;
    assert.ok(rate < 0.002, `false-negative rate ${String(rate)}`);
  });

  it('flags none of the real agents', () => {
    assert.deepEqual(REAL_AGENTS.filter(isRandomUserAgent), []);
  });

  it('leaves 20-character names, hex ids and other lengths alone', () => {
    for (const ua of [
      'VaxSIPUserAgentV3x10',
      'ABCDEF0123456789abcd',
      'PolycomSoundPointIP1',
      'aB3'.repeat(7),
      'DmQCAsNRKZYayfosaXE',
      'DmQCAsNRKZYayfosaXESx',
      'DmQCAsNRKZ-ayfosaXES',
    ]) {
      assert.equal(isRandomUserAgent(ua), false, ua);
    }
  });
});
