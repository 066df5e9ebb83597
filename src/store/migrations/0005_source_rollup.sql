-- 0005: per-source counts for the sources list (docs/store.md). One row per
-- source address, sensor, country, AS and user-agent label seen together,
-- with additive counts, so the list sums a few rows per source instead of
-- scanning every event. Kept current by the store writer in the transaction
-- of each batch; rebuilt in full from events after an import
-- (src/store/source-rollup.ts). A pure function of events: safe to rebuild.
CREATE TABLE source_rollup (
  src_ip         VARCHAR NOT NULL,
  sensor         VARCHAR NOT NULL,
  src_cc         VARCHAR,
  src_asn        INTEGER,
  src_as_name    VARCHAR,
  ua_label       VARCHAR,
  messages       BIGINT NOT NULL,         -- events of every kind
  first_ts       TIMESTAMP NOT NULL,
  last_ts        TIMESTAMP NOT NULL,
  registers      BIGINT NOT NULL,
  invites        BIGINT NOT NULL,
  auth_attempts  BIGINT NOT NULL,         -- events with an Authorization user
  cracked        BOOLEAN                  -- bool_or(guess_source = 'configured' OR auth_ok); null when no event says
);
-- Filled from the events already stored when this migration runs.
INSERT INTO source_rollup
SELECT src_ip, sensor, src_cc, src_asn, src_as_name, ua_label, count(*), min(ts), max(ts),
  count(*) FILTER (WHERE method = 'REGISTER'), count(*) FILTER (WHERE method = 'INVITE'),
  count(*) FILTER (WHERE auth_user IS NOT NULL), bool_or(guess_source = 'configured' OR auth_ok)
FROM events GROUP BY src_ip, sensor, src_cc, src_asn, src_as_name, ua_label;
