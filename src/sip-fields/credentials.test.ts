import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { computeDigestResponse, parseDigest } from '../sip/digest.js';
import { CredentialRecovery, decodeSipviciousTag, MAX_WORDLIST_WORDS } from './credentials.js';
import { testdata } from '../../test/helpers/shared.js';

const pcap = (): string =>
  readFileSync(
    testdata('asterisk-reference', 'alwaysauthreject_no', 'sipvicious_pcap.txt'),
    'latin1',
  );

describe('decodeSipviciousTag', () => {
  it('recovers every svcrack guess, in wordlist order, from the recorded From tags', () => {
    const words = readFileSync(
      testdata('asterisk-reference', 'alwaysauthreject_no', 'svcrack_wordlist.txt'),
      'utf8',
    )
      .trim()
      .split('\n');
    const tags = [
      ...pcap().matchAll(/^From: "100" <sip:100@127\.0\.0\.1>;tag=([0-9a-f]+)\\r\\n$/gm),
    ].map((m) => m[1]!);
    const guesses: string[] = [];
    for (const t of tags) {
      const d = decodeSipviciousTag(t);
      if (d && guesses[guesses.length - 1] !== d.password) guesses.push(d.password);
    }
    assert.deepEqual(guesses, words.slice(0, words.indexOf('qwerty12') + 1));
  });

  it('finds no password in svwar tags (extension only) or ordinary tags', () => {
    assert.equal(decodeSipviciousTag('3130300131303134373337383933'), null); // "100\x011014737893"
    assert.equal(decodeSipviciousTag('as0f93e46d'), null);
    assert.equal(decodeSipviciousTag('24cf4bca'), null);
    assert.equal(decodeSipviciousTag('zz'.repeat(10)), null);
  });
});

describe('CredentialRecovery', () => {
  const auth = (password: string, nonce = 'abcd1234') =>
    parseDigest(
      `Digest username="100",realm="asterisk",nonce="${nonce}",uri="sip:192.0.2.1",response="${computeDigestResponse({ username: '100', realm: 'asterisk', password, method: 'REGISTER', uri: 'sip:192.0.2.1', nonce })}"`,
    )!;

  it('reports a digest that matches the configured password as a crack', () => {
    const r = new CredentialRecovery([]).recover({
      auth: auth('s3cret'),
      method: 'REGISTER',
      fromTag: null,
      configuredPassword: 's3cret',
    });
    assert.deepEqual(r, { authOk: true, guess: { password: 's3cret', source: 'configured' } });
  });

  it('prefers the svcrack tag, then the wordlist, and says when the digest was wrong', () => {
    const rec = new CredentialRecovery(['123456', 'letmein']);
    const tag = Buffer.from('100:letmein\x010123', 'latin1').toString('hex');
    assert.deepEqual(
      rec.recover({
        auth: auth('letmein'),
        method: 'REGISTER',
        fromTag: tag,
        configuredPassword: 'x',
      }),
      {
        authOk: false,
        guess: { password: 'letmein', source: 'sipvicious_tag' },
      },
    );
    assert.deepEqual(
      rec.recover({
        auth: auth('letmein'),
        method: 'REGISTER',
        fromTag: '1a2b',
        configuredPassword: null,
      }),
      {
        authOk: null,
        guess: { password: 'letmein', source: 'wordlist' },
      },
    );
    assert.equal(
      rec.recover({
        auth: auth('not-in-list'),
        method: 'REGISTER',
        fromTag: null,
        configuredPassword: null,
      }).guess,
      null,
    );
  });

  it('tries at most MAX_WORDLIST_WORDS words', () => {
    const words = Array.from({ length: MAX_WORDLIST_WORDS + 5 }, (_, i) => `w${i}`);
    const rec = new CredentialRecovery(words);
    assert.equal(
      rec.recover({
        auth: auth(`w${MAX_WORDLIST_WORDS + 2}`),
        method: 'REGISTER',
        fromTag: null,
        configuredPassword: null,
      }).guess,
      null,
    );
    assert.equal(
      rec.recover({
        auth: auth(`w${MAX_WORDLIST_WORDS - 1}`),
        method: 'REGISTER',
        fromTag: null,
        configuredPassword: null,
      }).guess?.source,
      'wordlist',
    );
  });
});
