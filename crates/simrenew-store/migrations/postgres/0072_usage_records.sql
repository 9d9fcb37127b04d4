-- Usage the network reported. Bundles count what was used in bytes (a megabyte is 10^6
-- bytes); `data_used_mb`, which nothing wrote, is read no more and goes in a later release.
-- A record is kept once by the network's id, for ever: the key that makes a record sent
-- again, a file imported twice or a batch redelivered after a crash count once. `uncovered`
-- is what no bundle took (none ran then, or they were used up). No foreign keys: a record is
-- only written for a line its transaction has locked, and lines are never deleted; the
-- checks would double the cost of a million records.
ALTER TABLE bundles ADD COLUMN data_used_bytes BIGINT NOT NULL DEFAULT 0;
UPDATE bundles SET data_used_bytes = data_used_mb * 1000000;
CREATE TABLE usage_records (
    record_id TEXT PRIMARY KEY,
    brand_id BIGINT NOT NULL,
    line_id BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at BIGINT NOT NULL,
    bytes BIGINT NOT NULL CHECK (bytes >= 0),
    uncovered BIGINT NOT NULL CHECK (uncovered >= 0),
    source TEXT NOT NULL CHECK (source IN ('file', 'stream')),
    received_at BIGINT NOT NULL
);
CREATE INDEX usage_records_line ON usage_records (line_id, started_at);
