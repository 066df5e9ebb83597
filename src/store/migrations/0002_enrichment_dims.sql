-- 0002: per-distinct-value enrichment results, kept so that later imports
-- and the live store sink look each source address and User-Agent up once.
-- Rebuilt freely: they are caches, the events table holds the copied values.
CREATE TABLE dim_ip (
  src_ip         VARCHAR PRIMARY KEY,
  src_cc         VARCHAR,
  src_asn        INTEGER,
  src_as_name    VARCHAR
);

CREATE TABLE dim_ua (
  user_agent     VARCHAR PRIMARY KEY,     -- '' stands for an absent User-Agent
  ua_label       VARCHAR,
  ua_family      VARCHAR,
  ua_category    VARCHAR
);
