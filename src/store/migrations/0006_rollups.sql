-- 0006: pre-aggregated tables of events for the dashboard's aggregate
-- endpoints (docs/store.md, "Rollups"). Each is a sum over events that the
-- store writer brings up to date with every batch it commits, and that is
-- rebuilt in full after an import (src/store/rollups.ts). A key may have
-- several rows (each batch appends its own sums; a compaction merges them):
-- readers always sum by key. Keys are NOT NULL: '' stands for a null text,
-- -1 for a null ASN. `ph` is the message class of
-- src/analysis/queries/phases.ts (1 abuse, 2 brute_force, 3 scanning,
-- 4 enumeration; 0 for events that are not requests).

-- Events per UTC hour, sensor, event type, method (requests only) and class.
CREATE TABLE roll_hour (
  hr             TIMESTAMP NOT NULL,
  sensor         VARCHAR NOT NULL,
  event          VARCHAR NOT NULL,
  method         VARCHAR NOT NULL,
  ph             TINYINT NOT NULL,
  n              BIGINT NOT NULL
);

-- Requests per UTC day, sensor, source address and class, with the first
-- and last (the phase section's daily series and per-source class counts;
-- per-source counts of every event are in source_rollup, 0005).
CREATE TABLE roll_day_source (
  d              DATE NOT NULL,
  sensor         VARCHAR NOT NULL,
  src_ip         VARCHAR NOT NULL,
  ph             TINYINT NOT NULL,
  n              BIGINT NOT NULL,
  first_ts       TIMESTAMP NOT NULL,
  last_ts        TIMESTAMP NOT NULL
);

-- Requests of the classes where users count (2 brute_force, 4 enumeration)
-- per sensor, source and target user (hash of the user, as the scan groups
-- it): `n` requests, `c` those counted per user (every brute_force request,
-- the REGISTERs of enumeration).
CREATE TABLE roll_source_user (
  sensor         VARCHAR NOT NULL,
  src_ip         VARCHAR NOT NULL,
  ph             TINYINT NOT NULL,
  hu             UBIGINT NOT NULL,
  n              BIGINT NOT NULL,
  c              BIGINT NOT NULL
);

-- Requests with a password guess per sensor, source and guess.
CREATE TABLE roll_source_password (
  sensor         VARCHAR NOT NULL,
  src_ip         VARCHAR NOT NULL,
  password_guess VARCHAR NOT NULL,
  n              BIGINT NOT NULL
);

-- Requests per sensor, User-Agent label (with family and category) and source.
CREATE TABLE roll_ua (
  sensor         VARCHAR NOT NULL,
  label          VARCHAR NOT NULL,
  family         VARCHAR NOT NULL,
  category       VARCHAR NOT NULL,
  src_ip         VARCHAR NOT NULL,
  n              BIGINT NOT NULL
);

-- Whether these rollups hold every stored event: 'current', or 'stale'
-- until a full rebuild (readers then scan events).
INSERT OR REPLACE INTO meta (key, value) VALUES ('rollups', 'stale');
