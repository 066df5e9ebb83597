-- 0007: per-source rollups of a source's story (/api/sources/{ip},
-- src/analysis/queries/source-story.ts; docs/store.md, "Rollups"). Kept
-- like those of 0006: appended by the store writer with every batch,
-- rebuilt in full after an import, summed by key by readers. Unlike 0006,
-- their key columns keep nulls as nulls (the story shows them as such).
-- `ph` is the message class of a request (0006).

-- Requests per source, sensor, UTC hour and class, with the first and
-- last (the story's phases and timeline; the phase section's daily series
-- and per-source class counts, which read roll_day_source before: it is
-- dropped, the same sums by hour cost one aggregation less). Store evidence that moves
-- INVITEs to another class rebuilds the rows of their (source, sensor,
-- hour) from events, so the first and last of each class stay exact.
CREATE TABLE roll_source_hour (
  src_ip         VARCHAR NOT NULL,
  sensor         VARCHAR NOT NULL,
  hr             TIMESTAMP NOT NULL,
  ph             TINYINT NOT NULL,
  n              BIGINT NOT NULL,
  first_ts       TIMESTAMP NOT NULL,
  last_ts        TIMESTAMP NOT NULL
);

DROP TABLE roll_day_source;

-- Events of every kind per source, sensor and method (the story's methods;
-- its messages, first and last, sensors and country come from source_rollup).
CREATE TABLE roll_source_method (
  src_ip         VARCHAR NOT NULL,
  sensor         VARCHAR NOT NULL,
  method         VARCHAR,
  n              BIGINT NOT NULL
);

-- Users aimed at, per source, sensor, class (`ph`: 2 or 4 for the
-- requests of the classes where users count, else 0), whether the event
-- tries an extension (`ext`: a REGISTER, INVITE, SUBSCRIBE or MESSAGE with
-- a target user), Authorization user and target user (`u`: To user, else
-- Request-URI user): `n` events, `c` those counted per user (every
-- brute_force request, the REGISTERs of enumeration). The phase section's
-- per-user counts (roll_source_user before, dropped) and the story's
-- extensions tried, from one aggregation. Store evidence appends negated
-- rows (the class), as in 0006.
DROP TABLE roll_source_user;
CREATE TABLE roll_source_target (
  src_ip         VARCHAR NOT NULL,
  sensor         VARCHAR NOT NULL,
  ph             TINYINT NOT NULL,
  ext            BOOLEAN NOT NULL,
  auth_user      VARCHAR,
  u              VARCHAR,
  n              BIGINT NOT NULL,
  c              BIGINT NOT NULL
);

-- Credentials tried: events with an Authorization user or a password guess
-- per source, sensor, whether a request (`req`), user and guess; `ok` =
-- bool_or(guess_source = 'configured' OR auth_ok), null when no event
-- says. Its requests with a guess give the phase section's distinct
-- guesses (roll_source_password before, dropped).
DROP TABLE roll_source_password;
CREATE TABLE roll_source_cred (
  src_ip         VARCHAR NOT NULL,
  sensor         VARCHAR NOT NULL,
  req            BOOLEAN NOT NULL,
  auth_user      VARCHAR,
  password_guess VARCHAR,
  n              BIGINT NOT NULL,
  ok             BOOLEAN
);

-- Cracked: events that authenticated (guess_source = 'configured' OR
-- auth_ok) per source, sensor, user (Authorization, else From) and guess,
-- with the first.
CREATE TABLE roll_source_cracked (
  src_ip         VARCHAR NOT NULL,
  sensor         VARCHAR NOT NULL,
  u              VARCHAR,
  password_guess VARCHAR,
  n              BIGINT NOT NULL,
  first_ts       TIMESTAMP NOT NULL
);

-- Numbers called: INVITEs with a dialled number per source, sensor,
-- number, its country and type, with the first (the tie-break of the most
-- common country and type). Store evidence appends negated rows for the
-- INVITEs it gives a number, as in 0006.
CREATE TABLE roll_source_number (
  src_ip         VARCHAR NOT NULL,
  sensor         VARCHAR NOT NULL,
  dialed_number  VARCHAR NOT NULL,
  dst_cc         VARCHAR,
  number_type    VARCHAR,
  n              BIGINT NOT NULL,
  first_ts       TIMESTAMP NOT NULL
);

-- The story's user agents take their category from source_rollup (0005),
-- which now keeps it beside the label: refilled from the events stored
-- (the aggregation of src/store/source-rollup.ts).
ALTER TABLE source_rollup ADD COLUMN ua_category VARCHAR;
DELETE FROM source_rollup;
INSERT INTO source_rollup (src_ip, sensor, src_cc, src_asn, src_as_name, ua_label, ua_category,
  messages, first_ts, last_ts, registers, invites, auth_attempts, cracked)
SELECT src_ip, sensor, src_cc, src_asn, src_as_name, ua_label, ua_category, count(*), min(ts), max(ts),
  count(*) FILTER (WHERE method = 'REGISTER'), count(*) FILTER (WHERE method = 'INVITE'),
  count(*) FILTER (WHERE auth_user IS NOT NULL), bool_or(guess_source = 'configured' OR auth_ok)
FROM events GROUP BY src_ip, sensor, src_cc, src_asn, src_as_name, ua_label, ua_category;

INSERT OR REPLACE INTO meta (key, value) VALUES ('rollups', 'stale');
