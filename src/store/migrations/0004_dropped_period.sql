-- sensor.dropped events: the period (ms, ending at ts) a count of lost datagrams or lines covers.
ALTER TABLE events ADD COLUMN period_ms BIGINT;
