/**
 * @module
 * "Who they are calling": top called numbers (normalised E.164) with their
 * country and number type, calls per destination country and per number
 * type. User labels for numbers (a bank's service line...) are attached by
 * the caller from a CSV; they never enter SQL.
 */
import { num, str, type Queryable, type Row } from '../../store/queryable.js';
import { callsCte, SqlParams, type ReportFilter } from '../filter.js';
import { share } from '../shares.js';
import { queryCountryShares } from './sources.js';
import type { CountryShare, Destination, NumberMethodShare, TypeCount } from '../types.js';

/** The `top` numbers by unified INVITEs, with raw INVITE and distinct source counts. */
export async function queryTopDestinations(
  db: Queryable,
  filter: ReportFilter,
  top: number,
): Promise<Destination[]> {
  const p = new SqlParams();
  const limit = p.add(top);
  const rows = await db.all(
    `WITH ${callsCte(filter, p)}
     SELECT dialed_number, mode(dst_cc) AS cc, mode(number_type) AS type, count(*) AS n,
            sum(invites) AS invites, count(DISTINCT src_ip) AS sources
     FROM c GROUP BY dialed_number ORDER BY n DESC, dialed_number LIMIT CAST(${limit} AS BIGINT)`,
    p.values,
  );
  return rows.map((r) => ({
    number: str(r, 'dialed_number') ?? '',
    country: str(r, 'cc'),
    type: str(r, 'type'),
    count: num(r, 'n'),
    invites: num(r, 'invites'),
    sources: num(r, 'sources'),
    label: null,
  }));
}

/** Calls per destination country (the number's ISO region or non-geographic calling code). */
export function queryDestinationCountries(
  db: Queryable,
  filter: ReportFilter,
): Promise<CountryShare[]> {
  return queryCountryShares(db, filter, 'dst_cc');
}

/** Calls per number type (MOBILE, FIXED_LINE, TOLL_FREE, PREMIUM_RATE...). */
export async function queryNumberTypes(db: Queryable, filter: ReportFilter): Promise<TypeCount[]> {
  const p = new SqlParams();
  const rows = await db.all(
    `WITH ${callsCte(filter, p)}
     SELECT number_type AS type, count(*) AS n FROM c GROUP BY number_type
     ORDER BY n DESC, type NULLS LAST`,
    p.values,
  );
  const total = rows.reduce((a, r) => a + num(r, 'n'), 0);
  return rows.map((r) => ({
    type: str(r, 'type'),
    count: num(r, 'n'),
    share: share(num(r, 'n'), total),
  }));
}

/**
 * Calls per number method (alone, burst, tail, store): how much of the
 * destination tables rests on inference. Empty for stores and archives
 * written before the method was recorded (no such column).
 */
export async function queryNumberMethods(
  db: Queryable,
  filter: ReportFilter,
): Promise<NumberMethodShare[]> {
  const p = new SqlParams();
  let rows: Row[];
  try {
    rows = await db.all(
      `WITH ${callsCte(filter, p)}
       SELECT number_method AS method, count(*) AS n FROM c GROUP BY number_method
       ORDER BY CASE number_method WHEN 'alone' THEN 0 WHEN 'burst' THEN 1 WHEN 'tail' THEN 2
         WHEN 'store' THEN 3 ELSE 4 END`,
      p.values,
    );
  } catch {
    return [];
  }
  const total = rows.reduce((a, r) => a + num(r, 'n'), 0);
  return rows.map((r) => ({
    method: str(r, 'method'),
    count: num(r, 'n'),
    share: share(num(r, 'n'), total),
  }));
}
