import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { testdata } from '../../test/helpers/shared.js';
import { noiseRates } from '../testing/random-digits.js';
import { NumberResolver, resolveBurst, resolveDialed } from './phone-number.js';

// Made-up numbers in the shapes of issue 17: a London fixed line, a Polish fixed line.
const GB = '442079460000';
const PL = '48436701961';

function summary(rs: readonly { e164: string | null; method: string | null }[]): string[] {
  return rs.map((r) => `${r.e164 ?? '-'} ${r.method ?? '-'}`);
}

describe('carrier-access codes (NANP 101XXXX before 011)', () => {
  it('resolve alone, the carrier code and 011 taken as the prefix', () => {
    const r = resolveDialed(`1010288011${GB}`);
    assert.deepEqual([r.e164, r.cc, r.prefix, r.method], [`+${GB}`, 'GB', '1010288011', 'alone']);
    assert.ok(r.steps.some((s) => s.includes('carrier access code')));
  });

  it('unify with the plain and 9011 forms of their burst', () => {
    const out = resolveBurst([`011${GB}`, `1010288011${GB}`, `9011${GB}`, `1010321011${GB}`]);
    assert.deepEqual(summary(out), Array(4).fill(`+${GB} alone`));
  });
});

describe('junk digits before a foreign exit code (810)', () => {
  it('stay unresolved alone, the tail reading listed as unconfirmed', () => {
    const r = resolveDialed(`83810${GB}`);
    assert.equal(r.kind, 'invalid');
    assert.equal(r.method, null);
    assert.ok(r.steps.some((s) => s.includes('unknown "83" + exit code 810') && s.includes(GB)));
  });

  it('resolve in a burst by the tail its strings share', () => {
    const junk = ['83', '47', '12', '05', '93', '314', '6', '70', '55', '21', '38', '64'];
    const out = resolveBurst(junk.map((j) => `${j}810${GB}`));
    assert.deepEqual(summary(out), Array(junk.length).fill(`+${GB} tail`));
    const [first] = out;
    assert.ok(first);
    assert.equal(first.prefix, '83810');
    assert.ok(first.steps.some((s) => s.includes('12 different strings')));
  });

  it('take a sibling that resolves alone, whatever digits precede them', () => {
    const out = resolveBurst([`83810${GB}`, `00${GB}`, `4781${GB}`]);
    assert.deepEqual(summary(out), [`+${GB} burst`, `+${GB} alone`, `+${GB} burst`]);
  });

  it('never take a repeated string alone as evidence', () => {
    const out = resolveBurst([`83810${GB}`, `83810${GB}`, `83810${GB}`]);
    assert.deepEqual(summary(out), Array(3).fill('- -'));
  });
});

describe('carrier or service codes before 00', () => {
  it('alone: unresolved; in a burst: the shared tail', () => {
    assert.equal(resolveDialed(`1180800${GB}`).kind, 'invalid');
    const out = resolveBurst([`1180800${GB}`, `1180300${GB}`, `2290800${GB}`]);
    assert.deepEqual(summary(out), Array(3).fill(`+${GB} tail`));
    const withPlain = resolveBurst([`1180800${GB}`, `00${GB}`]);
    assert.deepEqual(summary(withPlain), [`+${GB} burst`, `+${GB} alone`]);
  });
});

describe('odd digits around the exit code', () => {
  it('7 + 00, 76 + 0000 and 00 + three stray digits unify in a burst', () => {
    const burst = [`700${GB}`, `760000${GB}`, `00123${GB}`, `00987${GB}`];
    for (const s of burst) assert.equal(resolveDialed(s).kind, 'invalid', s);
    const out = resolveBurst(burst);
    assert.deepEqual(summary(out), Array(4).fill(`+${GB} tail`));
    assert.deepEqual(
      out.map((r) => r.prefix),
      ['700', '760000', '00123', '00987'],
    );
  });
});

describe('the tail search guards against false readings', () => {
  it('never changes a string that is a valid number as dialed', () => {
    // Other strings of the burst end with a different number: the valid one keeps its own.
    const out = resolveBurst([`00${PL}`, `83810${GB}`, `47810${GB}`, `011${PL}`]);
    assert.deepEqual(summary(out), [`+${PL} alone`, `+${GB} tail`, `+${GB} tail`, `+${PL} alone`]);
    const figure2 = resolveBurst(['0014972523456586', '83810972523456586', '0014972523456586']);
    assert.ok(figure2.every((r) => r.e164 === '+972523456586'));
  });

  it('resolves random digit strings no more often than before it existed', (t) => {
    // Measured on this seed before the tail search, burst tails and carrier codes
    // were added (commit f71f2b5): 865 of 20,000 strings alone, 865 in bursts of 5.
    const rates = noiseRates(20261206, 20_000);
    t.diagnostic(JSON.stringify(rates));
    assert.ok(rates.alone <= 865, `alone ${String(rates.alone)}`);
    assert.ok(rates.burst <= 865, `burst ${String(rates.burst)}`);
  });
});

describe('real strings of the shared logs', () => {
  it('reads every toll-fraud string of the fail2ban Asterisk and FreeSWITCH logs', () => {
    const ast = readFileSync(testdata('pbx-logs', 'fail2ban', 'asterisk.log'), 'utf8');
    const fs = readFileSync(testdata('pbx-logs', 'fail2ban', 'freeswitch.log'), 'utf8');
    const dialed = [
      ...[...ast.matchAll(/to extension '([^']{8,})' rejected/g)].map((m) => m[1] ?? ''),
      ...[...fs.matchAll(/\(INVITE\) on sofia profile '[^']+' for \[(\d{8,})@/g)].map(
        (m) => m[1] ?? '',
      ),
    ];
    const got = new Map(dialed.map((d) => [d, resolveDialed(d)]));
    const want: Record<string, string> = {
      '0972598285108': '+972598285108',
      '9011+442037690237': '+442037690237',
      '001447441452805': '+447441452805',
      '++441772285411': '+441772285411', // a doubled '+' now reads as one
      '0+441772285407': '+441772285407',
      '011448708752617': '+448708752617',
      '000972543480510': '+972543480510',
      '9810972597751739': '+972597751739',
    };
    for (const [s, e164] of Object.entries(want)) {
      assert.equal(got.get(s)?.e164, e164, s);
      assert.equal(got.get(s)?.method, 'alone', s);
    }
    // Three unknown digits + 011 + a Polish number: unconfirmed alone, the tail search names it.
    const pl = got.get('41801148436701961');
    assert.ok(pl, 'the FreeSWITCH log holds 41801148436701961');
    assert.equal(pl.kind, 'invalid');
    assert.ok(pl.steps.some((s) => s.includes('unknown "418" + exit code 011') && s.includes(PL)));
    // ...and confirmed by any sibling that names the number, whatever its junk.
    const burst = resolveBurst(['41801148436701961', '51901148436701961']);
    assert.deepEqual(summary(burst), Array(2).fill(`+${PL} tail`));
  });

  it('keeps the CrowdSec and Honeynet readings (no number there is changed)', () => {
    const crowdsec = ['asterisk-bf.log', 'asterisk-logs.log'].map((f) =>
      readFileSync(testdata('pbx-logs', 'crowdsec', f), 'utf8'),
    );
    // The CrowdSec Asterisk samples are registration failures: no dialed number at all.
    assert.ok(crowdsec.every((text) => !/to extension '\+?\d{7,}/.test(text)));
    const log = readFileSync(
      testdata('attack-traffic', 'honeynet-fc4-2010-voip', 'logs_v3.txt'),
      'utf8',
    );
    const users = [...log.matchAll(/^INVITE sip:([^@]+)@/gm)].map((m) => m[1] ?? '');
    assert.equal(users.length, 4);
    const out = new NumberResolver().resolveBurst(users);
    assert.deepEqual(
      out.map((r) => [r.e164, r.method]),
      users.map((u) => [
        { '900114382089XXXX': '+4382089XXXX', '00112322228XXXX': '+2322228XXXX' }[u] ??
          '+2524021XXXX',
        'alone',
      ]),
    );
  });
});
