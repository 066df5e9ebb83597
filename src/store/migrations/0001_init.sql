-- 0001: events with enrichment columns, unified INVITEs, import bookkeeping.
-- Column names of events up to dropped are the event schema's
-- (src/events/catalog.ts), in the same order; the enrichment columns follow.
CREATE TABLE events (
  event          VARCHAR NOT NULL,
  event_id       VARCHAR NOT NULL,
  ts             TIMESTAMP NOT NULL,      -- UTC
  sensor         VARCHAR NOT NULL,
  transport      VARCHAR,
  src_ip         VARCHAR NOT NULL,
  src_port       INTEGER,
  dst_ip         VARCHAR,
  dst_port       INTEGER,
  size           INTEGER,
  method         VARCHAR,
  ruri           VARCHAR,
  ruri_user      VARCHAR,
  from_user      VARCHAR,
  from_display   VARCHAR,
  from_tag       VARCHAR,
  to_user        VARCHAR,
  call_id        VARCHAR,
  cseq           BIGINT,
  user_agent     VARCHAR,
  status         INTEGER,
  response       INTEGER,
  auth_user      VARCHAR,
  auth_realm     VARCHAR,
  auth_ok        BOOLEAN,
  password_guess VARCHAR,
  guess_source   VARCHAR,
  dialed         VARCHAR,
  reason         VARCHAR,
  excerpt        VARCHAR,
  dropped        INTEGER,
  -- enrichment
  origin         VARCHAR NOT NULL,        -- sensor | jsonl | legacy | honeynet | pcap | asterisk | freeswitch
  src_cc         VARCHAR,                 -- ISO 3166 alpha-2 from RIR data; null for masked or unknown addresses
  src_asn        INTEGER,
  src_as_name    VARCHAR,
  ua_label       VARCHAR,                 -- 'undefined', 'random', or the User-Agent as sent
  ua_family      VARCHAR,                 -- e.g. SIPVicious, Zoiper, VaxSIPUserAgent
  ua_category    VARCHAR,                 -- scanner | sdk | softphone | pbx | custom | undefined | random
  dialed_number  VARCHAR,                 -- normalised E.164 (+CC...), null when not an external number
  dst_cc         VARCHAR,                 -- ISO region of dialed_number; calling code ('800', '882'...) for non-geographic numbers
  number_type    VARCHAR,                 -- MOBILE, FIXED_LINE, TOLL_FREE, PREMIUM_RATE, ... (libphonenumber types)
  number_kind    VARCHAR                  -- external | extension | invalid (INVITEs only)
);

-- Unified INVITEs (docs/store.md): one source IP, one destination number,
-- consecutive INVITEs at most --gap apart. Rebuilt from events after import.
CREATE TABLE calls (
  src_ip         VARCHAR NOT NULL,
  dialed_number  VARCHAR NOT NULL,
  first_ts       TIMESTAMP NOT NULL,
  last_ts        TIMESTAMP NOT NULL,
  invites        INTEGER NOT NULL,
  sensors        INTEGER NOT NULL,
  src_cc         VARCHAR,
  src_asn        INTEGER,
  dst_cc         VARCHAR,
  number_type    VARCHAR,
  ua_label       VARCHAR,                 -- the first INVITE's label
  ua_category    VARCHAR
);

-- One row per imported file: lets a re-import skip what it has, and a grown
-- file add only its new lines.
CREATE TABLE imports (
  path           VARCHAR NOT NULL,
  sensor         VARCHAR NOT NULL,
  format         VARCHAR NOT NULL,
  head_sha256    VARCHAR NOT NULL,        -- hash of the first bytes: identifies the file across renames
  head_bytes     BIGINT NOT NULL,         -- how many first bytes head_sha256 covers
  bytes_done     BIGINT NOT NULL,         -- offset after the last complete line imported
  lines_done     BIGINT NOT NULL,
  events_added   BIGINT NOT NULL,         -- events this file added, over all its imports
  rejected       BIGINT NOT NULL,         -- lines or records that did not parse, over all its imports
  imported_at    TIMESTAMP NOT NULL
);

CREATE TABLE meta (
  key            VARCHAR PRIMARY KEY,
  value          VARCHAR NOT NULL
);
