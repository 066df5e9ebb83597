/**
 * @module
 * Synthetic store for the report benchmark, generated inside DuckDB with
 * range() and random functions: N events with skewed sources (a few IPs send
 * most), ~95 % REGISTER / 3 % OPTIONS / 1.5 % INVITE, 83 source countries,
 * 858 ASNs, user agents in the article's proportions, and a `calls` table of
 * 1.5 % of N unified INVITEs to 140 destination countries. Bench data only.
 */
import { migrate } from '../src/store/store.js';
import type { DuckDBConnection } from '@duckdb/node-api';

const CCS = `['US','CN','NL','TH','FR','CA','MD','ID','DE','PS','EG','GB','RU','BR','IN','KR','JP','IT','ES','PL','UA','RO','TR','VN','IR','AR','MX','CO','CL','PE','VE','ZA','NG','KE','MA','DZ','TN','SA','AE','IL','PK','BD','MY','SG','PH','AU','NZ','SE','NO','FI','DK','BE','AT','CH','CZ','SK','HU','BG','GR','PT','IE','LT','LV','EE','BY','KZ','UZ','GE','AM','AZ','HK','TW','LK','NP','KH','LA','MM','MN','QA','KW','OM','JO','LB']`;

/** Creates the schema and fills it; returns the seconds it took. */
export async function generate(conn: DuckDBConnection, events: number): Promise<number> {
  const t0 = performance.now();
  await migrate(conn);
  await conn.run(`SELECT setseed(0.42)`);
  await conn.run(`
    INSERT INTO events (event, event_id, ts, sensor, transport, src_ip, method, ruri_user, from_user,
      to_user, user_agent, auth_user, auth_ok, password_guess, guess_source, dialed, origin, src_cc,
      src_asn, src_as_name, ua_label, ua_family, ua_category, dialed_number, dst_cc, number_type, number_kind)
    WITH g AS (
      SELECT i,
        CAST(floor(5000 * pow(random(), 3)) AS INTEGER) AS k,
        random() AS rm, random() AS ru, random() AS ra,
        CAST(floor(random() * 9900) AS INTEGER) + 100 AS ext,
        CAST(floor(50000 * pow(random(), 2)) AS INTEGER) AS num
      FROM range(${events}) t(i)
    ), h AS (
      SELECT *,
        CASE WHEN rm < 0.95 THEN 'REGISTER' WHEN rm < 0.98 THEN 'OPTIONS' WHEN rm < 0.995 THEN 'INVITE' ELSE 'SUBSCRIBE' END AS method,
        CASE WHEN ru < 0.61 THEN 'undefined' WHEN ru < 0.72 THEN 'random' WHEN ru < 0.80 THEN 'VaxSIPUserAgent/3.0'
             WHEN ru < 0.90 THEN 'friendly-scanner' WHEN ru < 0.95 THEN 'Asterisk PBX' ELSE 'X-Lite release 1006e stamp 34025' END AS ua
      FROM g
    )
    SELECT 'sip.request', 'b' || i, TIMESTAMP '2011-09-01' + to_microseconds(CAST(floor(random() * 358 * 86400e6) AS BIGINT)),
      'hp' || (i % 50), 'udp',
      '10.' || (k // 65536 % 256) || '.' || (k // 256 % 256) || '.' || (k % 256),
      method,
      CASE WHEN method = 'INVITE' THEN '00' || (num + 100000000) WHEN method = 'OPTIONS' AND ra < 0.5 THEN NULL ELSE CAST(ext AS VARCHAR) END,
      CAST(ext AS VARCHAR),
      CASE WHEN method = 'OPTIONS' AND ra < 0.5 THEN NULL ELSE CAST(ext AS VARCHAR) END,
      CASE WHEN ua = 'undefined' THEN NULL WHEN ua = 'random' THEN md5(CAST(i AS VARCHAR))[1:20] ELSE ua END,
      CASE WHEN method = 'REGISTER' AND ra < 0.2 THEN CAST(ext % 300 + 100 AS VARCHAR) END,
      CASE WHEN method = 'REGISTER' AND ra < 0.2 THEN ra < 0.0001 END,
      CASE WHEN method = 'REGISTER' AND ra < 0.05 THEN 'pw' || (ext % 1000) END,
      CASE WHEN method = 'REGISTER' AND ra < 0.0001 THEN 'configured' WHEN method = 'REGISTER' AND ra < 0.05 THEN 'sipvicious_tag' END,
      CASE WHEN method = 'INVITE' THEN '00' || (num + 100000000) END,
      'sensor',
      ${CCS}[1 + (hash(k) % 83)::INTEGER], 1000 + (k % 858), 'AS-' || (k % 858),
      ua, CASE WHEN ua IN ('undefined', 'random') THEN NULL ELSE split_part(ua, '/', 1) END,
      CASE ua WHEN 'undefined' THEN 'undefined' WHEN 'random' THEN 'random' WHEN 'VaxSIPUserAgent/3.0' THEN 'sdk'
              WHEN 'friendly-scanner' THEN 'scanner' WHEN 'Asterisk PBX' THEN 'pbx' ELSE 'softphone' END,
      CASE WHEN method = 'INVITE' THEN '+' || (num + 100000000) END,
      CASE WHEN method = 'INVITE' THEN 'C' || (num % 140) END,
      CASE WHEN method = 'INVITE' THEN (CASE WHEN num % 3 = 0 THEN 'MOBILE' WHEN num % 7 = 0 THEN 'TOLL_FREE' ELSE 'FIXED_LINE' END) END,
      CASE WHEN method = 'INVITE' THEN 'external' END
    FROM h`);
  const calls = Math.round(events * 0.015);
  await conn.run(`
    INSERT INTO calls
    WITH g AS (
      SELECT i, CAST(floor(3000 * pow(random(), 4)) AS INTEGER) AS k,
             CAST(floor(50000 * pow(random(), 2)) AS INTEGER) AS num, random() AS ru,
             TIMESTAMP '2011-09-01' + to_microseconds(CAST(floor(random() * 358 * 86400e6) AS BIGINT)) AS f
      FROM range(${calls}) t(i)
    )
    SELECT '10.' || (k // 65536 % 256) || '.' || (k // 256 % 256) || '.' || (k % 256),
      '+' || (num + 100000000),
      f, f + INTERVAL 5 MINUTE, 1 + CAST(floor(random() * 10) AS INTEGER), 1,
      ${CCS}[1 + (hash(k) % 83)::INTEGER], 1000 + (k % 858),
      CASE WHEN k < 20 THEN 'C' || (num % 140) ELSE 'C' || ((k + num % 3) % 140) END,
      CASE WHEN num % 3 = 0 THEN 'MOBILE' WHEN num % 7 = 0 THEN 'TOLL_FREE' ELSE 'FIXED_LINE' END,
      CASE WHEN ru < 0.61 THEN 'undefined' WHEN ru < 0.72 THEN 'random' WHEN ru < 0.80 THEN 'VaxSIPUserAgent/3.0'
           WHEN ru < 0.90 THEN 'friendly-scanner' WHEN ru < 0.95 THEN 'Asterisk PBX' ELSE 'X-Lite release 1006e stamp 34025' END,
      CASE WHEN ru < 0.61 THEN 'undefined' WHEN ru < 0.72 THEN 'random' WHEN ru < 0.80 THEN 'sdk'
           WHEN ru < 0.90 THEN 'scanner' WHEN ru < 0.95 THEN 'pbx' ELSE 'softphone' END
    FROM g`);
  await conn.run(`INSERT OR REPLACE INTO meta VALUES ('geo_data_date', '2026-06-17')`);
  await conn.run(`CHECKPOINT`);
  return (performance.now() - t0) / 1000;
}
