-- Rate limits as one counter row per bucket and fixed window, counted and read in one
-- statement (INSERT ... ON CONFLICT DO UPDATE ... RETURNING), so that requests arriving
-- together each see a different count. `expires_at` is the window's end, after which the row
-- is pruned. `rate_events` is no longer written; it goes in a later release.
CREATE TABLE rate_counters (
    bucket TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    count BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX rate_counters_expires_at ON rate_counters (expires_at);
