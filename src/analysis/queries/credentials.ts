/**
 * @module
 * What attackers tried to log in with: usernames (the Authorization username,
 * else the From user of a REGISTER), recovered password guesses, and the
 * extensions they cracked (a guess matching the configured password, or a
 * digest the sensor accepted).
 */
import { num, str, type Queryable } from '../../store/queryable.js';
import { eventsWhere, SqlParams, type ReportFilter } from '../filter.js';
import type { CredentialSection } from '../types.js';

/**
 * Top `top` usernames and passwords, and every cracked extension. Distinct
 * sources are counted only for the top usernames (a second scan keeping
 * only their rows), not for every username tried.
 */
export async function queryCredentials(
  db: Queryable,
  filter: ReportFilter,
  top: number,
): Promise<CredentialSection> {
  const p1 = new SqlParams();
  const where1 = eventsWhere(filter, p1);
  const lim1 = p1.add(top);
  const users = await db.all(
    `WITH u AS NOT MATERIALIZED (
       SELECT coalesce(auth_user, from_user) AS username, src_ip FROM events
       WHERE event = 'sip.request' AND ${where1}
         AND (auth_user IS NOT NULL OR (method = 'REGISTER' AND from_user IS NOT NULL))),
     t AS (SELECT username, count(*) AS attempts FROM u GROUP BY username
           ORDER BY attempts DESC, username LIMIT CAST(${lim1} AS BIGINT)),
     s AS (SELECT username, count(DISTINCT src_ip) AS sources FROM u
           WHERE username IN (SELECT username FROM t) GROUP BY username)
     SELECT t.username, t.attempts, s.sources
     FROM t JOIN s USING (username)
     ORDER BY t.attempts DESC, t.username`,
    p1.values,
  );
  const p2 = new SqlParams();
  const where2 = eventsWhere(filter, p2);
  const lim2 = p2.add(top);
  const passwords = await db.all(
    `SELECT password_guess AS password, mode(guess_source) AS source, count(*) AS attempts,
            count(DISTINCT coalesce(auth_user, from_user)) AS users
     FROM events WHERE password_guess IS NOT NULL AND ${where2}
     GROUP BY password_guess ORDER BY attempts DESC, password LIMIT CAST(${lim2} AS BIGINT)`,
    p2.values,
  );
  const p3 = new SqlParams();
  const where3 = eventsWhere(filter, p3);
  const cracked = await db.all(
    `SELECT coalesce(auth_user, from_user, to_user) AS username, count(DISTINCT src_ip) AS sources,
            count(*) AS attempts, min(ts) AS first_ts,
            list(DISTINCT password_guess ORDER BY password_guess)
              FILTER (WHERE password_guess IS NOT NULL) AS passwords
     FROM events
     WHERE (guess_source = 'configured' OR auth_ok = true) AND ${where3}
     GROUP BY ALL ORDER BY first_ts, username`,
    p3.values,
  );
  const p4 = new SqlParams();
  const [auth] = await db.all(
    `SELECT count(*) AS n FROM events WHERE auth_user IS NOT NULL AND event = 'sip.request'
       AND ${eventsWhere(filter, p4)}`,
    p4.values,
  );
  return {
    usernames: users.map((r) => ({
      username: str(r, 'username') ?? '',
      attempts: num(r, 'attempts'),
      sources: num(r, 'sources'),
    })),
    passwords: passwords.map((r) => ({
      password: str(r, 'password') ?? '',
      source: str(r, 'source'),
      attempts: num(r, 'attempts'),
      users: num(r, 'users'),
    })),
    cracked: cracked.map((r) => {
      const raw = str(r, 'passwords');
      const list = raw === null ? [] : (JSON.parse(raw) as unknown[]);
      return {
        username: str(r, 'username') ?? '',
        sources: num(r, 'sources'),
        attempts: num(r, 'attempts'),
        first_ts: str(r, 'first_ts') ?? '',
        passwords: list.filter((v): v is string => typeof v === 'string'),
      };
    }),
    auth_attempts: num(auth ?? {}, 'n'),
  };
}
