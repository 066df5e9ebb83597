import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadIpLookup, type IpLookup } from './ip-lookup.js';

describe('loadIpLookup with the bundled data', () => {
  let ip: IpLookup;
  before(async () => {
    ip = await loadIpLookup();
  });

  it('finds country, ASN and AS name of well-known IPv4 addresses', () => {
    assert.deepEqual(ip.lookup('8.8.8.8'), { cc: 'US', asn: 15169, as_name: 'Google LLC' });
    const nicbr = ip.lookup('200.160.2.3');
    assert.equal(nicbr.cc, 'BR');
    assert.equal(nicbr.asn, 22548);
  });

  it('finds IPv6 addresses, and IPv4-mapped IPv6 as their IPv4 address', () => {
    assert.equal(ip.lookup('2001:4860:4860::8888').asn, 15169);
    assert.equal(ip.lookup('[2001:4860:4860::8888]').cc, 'US');
    assert.deepEqual(ip.lookup('::ffff:8.8.8.8'), ip.lookup('8.8.8.8'));
  });

  it('answers all-null for masked, private and invalid addresses without throwing', () => {
    const none = { cc: null, asn: null, as_name: null };
    for (const s of [
      '210.184.X.Y',
      'honey.pot.IP.removed',
      '',
      '1.2.3',
      '256.1.1.1',
      '::::',
      'x'.repeat(5000),
    ]) {
      assert.deepEqual(ip.lookup(s), none, s);
    }
    assert.equal(ip.lookup('10.1.2.3').cc, null);
  });

  it('names the data date from the package version', () => {
    assert.match(ip.dataDate, /^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('loadIpLookup with user files', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'sipsnare-ip-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads newer files of the same layout, including quoted AS names', async () => {
    const cc4 = join(dir, 'cc4.csv');
    const asn4 = join(dir, 'asn4.csv');
    const cc6 = join(dir, 'cc6.csv');
    const asn6 = join(dir, 'asn6.csv');
    // 1.0.0.0-1.0.0.255 and 2.0.0.0-2.255.255.255, deliberately unsorted.
    writeFileSync(cc4, '33554432,50331647,FR\n16777216,16777471,AU\n');
    writeFileSync(asn4, '16777216,16777471,13335,"Cloudflare, Inc."\n');
    // 2a00::/32 (2001:db8::/32, the documentation block, is never looked up)
    writeFileSync(
      cc6,
      '55827575822966466661959896531774472192,55827575902194629176224234125318422527,NL\n',
    );
    writeFileSync(asn6, '');
    const ip = await loadIpLookup({ countryV4: cc4, asnV4: asn4, countryV6: cc6, asnV6: asn6 });
    assert.deepEqual(ip.lookup('1.0.0.1'), { cc: 'AU', asn: 13335, as_name: 'Cloudflare, Inc.' });
    assert.deepEqual(ip.lookup('2.3.4.5'), { cc: 'FR', asn: null, as_name: null });
    assert.equal(ip.lookup('3.0.0.0').cc, null);
    assert.equal(ip.lookup('2a00::1').cc, 'NL');
    assert.equal(ip.lookup('2a01::1').cc, null);
  });

  it('names an AS from a later row, and keeps the IPv4 names once the IPv6 table loads', async () => {
    const cc4 = join(dir, 'n-cc4.csv');
    const asn4 = join(dir, 'n-asn4.csv');
    const cc6 = join(dir, 'n-cc6.csv');
    const asn6 = join(dir, 'n-asn6.csv');
    writeFileSync(cc4, '');
    // AS 13335 first without a name, named by a later row; AS 64500 never named.
    writeFileSync(
      asn4,
      '16777216,16777471,13335\n33554432,33554687,13335,"Cloudflare, Inc."\n' +
        '50331648,50331903,64500\n67108864,67109119,15169,Google LLC\n',
    );
    writeFileSync(cc6, '');
    // 2a00::/32: a new AS, and 2a01::/32: an AS the IPv4 table named.
    writeFileSync(
      asn6,
      '55827575822966466661959896531774472192,55827575902194629176224234125318422527,3320,Deutsche Telekom AG\n' +
        '55832768119825001489588427028103692288,55832768199053164003852764621647642623,15169,Other name\n',
    );
    const ip = await loadIpLookup({ countryV4: cc4, asnV4: asn4, countryV6: cc6, asnV6: asn6 });
    const cloudflare = { cc: null, asn: 13335, as_name: 'Cloudflare, Inc.' };
    assert.deepEqual(ip.lookup('1.0.0.1'), cloudflare);
    assert.deepEqual(ip.lookup('2.0.0.1'), cloudflare);
    assert.deepEqual(ip.lookup('3.0.0.1'), { cc: null, asn: 64500, as_name: null });
    assert.deepEqual(ip.lookup('2a00::1'), { cc: null, asn: 3320, as_name: 'Deutsche Telekom AG' });
    assert.deepEqual(ip.lookup('2a01::1'), { cc: null, asn: 15169, as_name: 'Google LLC' });
    assert.deepEqual(ip.lookup('4.0.0.1'), { cc: null, asn: 15169, as_name: 'Google LLC' });
    assert.deepEqual(ip.lookup('1.0.0.1'), cloudflare);
  });

  it('fails with SNARE_ERR_IO naming a missing file', async () => {
    await assert.rejects(loadIpLookup({ countryV4: join(dir, 'missing.csv') }), (err: unknown) => {
      assert.equal((err as { code?: string }).code, 'SNARE_ERR_IO');
      return true;
    });
  });
});
