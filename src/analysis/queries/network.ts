/**
 * @module
 * The network view: what each sensor saw (events, sources, first and last
 * seen), the sources that reached several sensors (sweeps across the address
 * space: how many sensors, and how fast they moved from one to the next),
 * and the unified INVITEs whose INVITEs reached several sensors.
 */
import { num, str, type Queryable } from '../../store/queryable.js';
import { callsCte, eventsCte, SqlParams, type ReportFilter } from '../filter.js';
import type { NetworkSection } from '../types.js';

export async function queryNetwork(
  db: Queryable,
  filter: ReportFilter,
  top: number,
): Promise<NetworkSection> {
  let p = new SqlParams();
  const perSensor = await db.all(
    `WITH ${eventsCte(filter, p)}
     SELECT sensor, count(*) AS events, count(DISTINCT src_ip) AS sources,
       min(ts) AS first_ts, max(ts) AS last_ts
     FROM e GROUP BY sensor ORDER BY events DESC, sensor`,
    p.values,
  );
  p = new SqlParams();
  const cte = eventsCte(filter, p);
  const lim = p.add(top);
  const sweeps = await db.all(
    `WITH ${cte},
     firsts AS (SELECT src_ip, sensor, min(ts) AS first_ts, max(ts) AS last_ts, count(*) AS n
       FROM e GROUP BY src_ip, sensor),
     multi AS (SELECT src_ip, count(*) AS sensors, sum(n) AS events,
         min(first_ts) AS first_ts, max(last_ts) AS last_ts,
         epoch_ms(max(first_ts)) - epoch_ms(min(first_ts)) AS span_ms
       FROM firsts GROUP BY src_ip HAVING count(*) > 1)
     SELECT *, (SELECT count(*) FROM multi) AS total FROM multi
     ORDER BY sensors DESC, events DESC, src_ip LIMIT CAST(${lim} AS BIGINT)`,
    p.values,
  );
  p = new SqlParams();
  const ccte = callsCte(filter, p);
  const lim2 = p.add(top);
  const calls = await db.all(
    `WITH ${ccte}, m AS (SELECT * FROM c WHERE sensors > 1)
     SELECT src_ip, dialed_number, sensors, invites, first_ts, last_ts,
       (SELECT count(*) FROM m) AS total
     FROM m ORDER BY sensors DESC, invites DESC, src_ip, dialed_number
     LIMIT CAST(${lim2} AS BIGINT)`,
    p.values,
  );
  return {
    sensors: perSensor.map((r) => ({
      sensor: str(r, 'sensor') ?? '',
      events: num(r, 'events'),
      sources: num(r, 'sources'),
      first_ts: str(r, 'first_ts'),
      last_ts: str(r, 'last_ts'),
    })),
    multi_sensor_sources: num(sweeps[0] ?? {}, 'total'),
    sweeps: sweeps.map((r) => {
      const sensors = num(r, 'sensors');
      const spanS = num(r, 'span_ms') / 1000;
      return {
        ip: str(r, 'src_ip') ?? '',
        sensors,
        events: num(r, 'events'),
        first_ts: str(r, 'first_ts'),
        last_ts: str(r, 'last_ts'),
        span_seconds: spanS,
        seconds_per_sensor: sensors > 1 ? spanS / (sensors - 1) : 0,
      };
    }),
    multi_sensor_calls: num(calls[0] ?? {}, 'total'),
    calls: calls.map((r) => ({
      ip: str(r, 'src_ip') ?? '',
      number: str(r, 'dialed_number') ?? '',
      sensors: num(r, 'sensors'),
      invites: num(r, 'invites'),
      first_ts: str(r, 'first_ts'),
      last_ts: str(r, 'last_ts'),
    })),
  };
}
