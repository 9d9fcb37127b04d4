-- The audit log is keyed: `audit_log.hash` now holds an HMAC-SHA256 under the audit key
-- (SIMRENEW_AUDIT_KEY, kept outside the database) of the entry, its place in its chain and the
-- previous entry's MAC. Entries written before keep their unkeyed SHA-256 until
-- `simrenew audit rekey` keys them; `audit verify` names them until then.
--
-- A checkpoint records, MACed under the same key and linked to the previous checkpoint, the
-- head of every chain that moved since the checkpoint before: a chain seen by a checkpoint must
-- still hold that entry with that MAC, so deleting its newest entries or the whole chain shows.
CREATE TABLE audit_checkpoints (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    prev_mac TEXT NOT NULL,
    mac TEXT NOT NULL
);

CREATE TABLE audit_checkpoint_heads (
    checkpoint_seq BIGINT NOT NULL REFERENCES audit_checkpoints (seq),
    chain TEXT NOT NULL,
    seq BIGINT NOT NULL,
    mac TEXT NOT NULL,
    PRIMARY KEY (checkpoint_seq, chain)
);
CREATE INDEX audit_checkpoint_heads_chain ON audit_checkpoint_heads (chain, seq);

-- Who asked for a refund (a principal's label, `staff:3`); NULL for refunds made before.
ALTER TABLE refunds ADD COLUMN requested_by TEXT;
