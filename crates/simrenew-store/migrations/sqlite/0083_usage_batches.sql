-- A usage record keeps what it used and for which line; where it came from and when it was
-- received are its batch's, kept once per batch (a file's transaction, a stream pull) rather
-- than on each of a million records. The brand is the line's. The records' row is then the
-- narrowest that keeps each record once and tells what it took, which is most of what a
-- million records cost to write.
CREATE TABLE usage_batches (
    id INTEGER PRIMARY KEY,
    source TEXT NOT NULL CHECK (source IN ('file', 'stream')),
    received_at BIGINT NOT NULL,
    records BIGINT NOT NULL CHECK (records > 0)
);
INSERT INTO usage_batches (source, received_at, records)
SELECT source, received_at, COUNT(*) FROM usage_records GROUP BY source, received_at
ORDER BY received_at, source;
-- No foreign keys, as before: a record is written with its batch in one transaction, for a
-- line that transaction has locked.
CREATE TABLE usage_records_kept (
    record_id TEXT PRIMARY KEY,
    line_id BIGINT NOT NULL,
    batch_id BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    ended_at BIGINT NOT NULL,
    bytes BIGINT NOT NULL CHECK (bytes >= 0),
    uncovered BIGINT NOT NULL CHECK (uncovered >= 0)
);
INSERT INTO usage_records_kept (record_id, line_id, batch_id, started_at, ended_at, bytes, uncovered)
SELECT r.record_id, r.line_id, b.id, r.started_at, r.ended_at, r.bytes, r.uncovered
FROM usage_records r JOIN usage_batches b ON b.source = r.source AND b.received_at = r.received_at
ORDER BY r.record_id;
DROP TABLE usage_records;
ALTER TABLE usage_records_kept RENAME TO usage_records;
