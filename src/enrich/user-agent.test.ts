import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { testdata } from '../../test/helpers/shared.js';
import {
  classifyUserAgent,
  familyOf,
  loadUserAgentRules,
  makeUserAgentRules,
  parseUserAgentRules,
} from './user-agent.js';
import { REAL_AGENTS } from './user-agent-samples.js';

describe('classifyUserAgent', () => {
  it('labels a missing or empty User-Agent "undefined"', () => {
    for (const ua of [null, '', '   ']) {
      assert.deepEqual(classifyUserAgent(ua), {
        label: 'undefined',
        family: 'undefined',
        category: 'undefined',
      });
    }
  });

  it("labels the article's Table 2 strings random", () => {
    for (const ua of [
      'DmQCAsNRKZYayfosaXES',
      'yy3BHtWnCBPco3knmRqG',
      'KdUhQNVVxaZYfHg0rXFD',
      'otYvAff8mpZviS2CfF6M',
      '5y5ttWMXPbFIeyHb4l4D',
      'YDjb3Q8Wiw6442YCXMnE',
    ]) {
      assert.equal(classifyUserAgent(ua).label, 'random', ua);
    }
  });

  it('keeps every real agent of the list as sent (no false "random")', () => {
    assert.ok(REAL_AGENTS.length >= 100);
    const flagged = REAL_AGENTS.filter((ua) => classifyUserAgent(ua).label !== ua);
    assert.deepEqual(flagged, []);
  });

  it('gives families and categories from the rules', () => {
    const cases: [string, string, string][] = [
      ['friendly-scanner', 'SIPVicious', 'scanner'],
      ['VaxSIPUserAgent/3.0', 'VaxSIPUserAgent', 'sdk'],
      ['Asterisk PBX 1.6.2.9', 'Asterisk', 'pbx'],
      ['X-Lite release 1006e stamp 34025', 'X-Lite', 'softphone'],
      ['Z 5.5.12 v2.10.18.8', 'Zoiper', 'softphone'],
      ['Linksys/SPA942-6.1.5(a)', 'Linksys', 'hardphone'],
      ['PolycomSoundPointIP-SPIP_550-UA/3.3.2.0413', 'Polycom', 'hardphone'],
      ['sipcli/v1.8', 'sipcli', 'scanner'],
      ['pplsip', 'SIPPTS', 'scanner'],
    ];
    for (const [ua, family, category] of cases) {
      const c = classifyUserAgent(ua);
      assert.deepEqual([c.family, c.category], [family, category], ua);
    }
  });

  it('classifies the User-Agents of the Honeynet 2010 log', () => {
    const log = readFileSync(
      testdata('attack-traffic', 'honeynet-fc4-2010-voip', 'logs_v3.txt'),
      'utf8',
    );
    const uas = new Set([...log.matchAll(/^User-Agent: (.*)$/gm)].map((m) => (m[1] ?? '').trim()));
    assert.ok(uas.size >= 2);
    for (const ua of uas) assert.notEqual(classifyUserAgent(ua).category, 'custom', ua);
  });

  it('gives every scanner pattern of the shared list a non-custom category', () => {
    const tsv = readFileSync(testdata('scanner-user-agents', 'scanner-user-agents.tsv'), 'utf8');
    const rows = tsv
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('pattern\t'));
    const known = rows
      .map((l) => l.split('\t'))
      .filter(([, , category]) => category !== 'weak')
      .map(([pattern = '']) => pattern);
    const missed = known.filter((p) => classifyUserAgent(p).category === 'custom');
    assert.deepEqual(missed, []);
  });

  it('calls unknown named agents custom, with the name as family', () => {
    assert.deepEqual(classifyUserAgent('MyDialer/2.0 (win32)'), {
      label: 'MyDialer/2.0 (win32)',
      family: 'MyDialer',
      category: 'custom',
    });
    assert.equal(familyOf('Some Tool v3'), 'Some Tool');
  });

  it('checks a user rules file before the bundled one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipsnare-ua-'));
    try {
      const file = join(dir, 'mine.tsv');
      writeFileSync(
        file,
        'prefix\tMyDialer\tMy Botnet\tscanner\tseen on our sensors\nexact\tfriendly-scanner\tOld SIPVicious\tscanner\t\n',
      );
      const rules = loadUserAgentRules(file);
      assert.equal(classifyUserAgent('MyDialer/2.0', rules).family, 'My Botnet');
      assert.equal(classifyUserAgent('friendly-scanner', rules).family, 'Old SIPVicious');
      assert.equal(classifyUserAgent('Zoiper rev.6751', rules).family, 'Zoiper');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a bad rules row with the file and line', () => {
    assert.throws(() => parseUserAgentRules('prefix\tx\tX\tnot-a-category\t', 'f.tsv'), /f\.tsv:1/);
    assert.throws(() => parseUserAgentRules('glob\tx\tX\tscanner\t', 'f.tsv'), /match kind/);
    assert.throws(() => parseUserAgentRules('regex\t(\tX\tscanner\t', 'f.tsv'), /bad regex/);
  });

  it('matches rules case-insensitively and only on the first 256 characters', () => {
    const rules = makeUserAgentRules(parseUserAgentRules('substring\tevil\tEvil\tscanner\t', 't'));
    assert.equal(classifyUserAgent('an EVIL tool', rules).category, 'scanner');
    const long = `${'a'.repeat(300)}evil`;
    assert.equal(classifyUserAgent(long, rules).category, 'custom');
    assert.equal(classifyUserAgent(long, rules).label, long);
  });
});
