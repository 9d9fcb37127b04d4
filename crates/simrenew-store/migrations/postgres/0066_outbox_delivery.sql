-- The outbox delivered by workers: the order a row belongs to (an order completes when the
-- network confirmed all its rows), when it is due again after a failed delivery, the claim of
-- the worker sending it, the last error, when it became a dead letter, and the network's
-- reference of the operation once confirmed.
ALTER TABLE outbox ADD COLUMN order_id BIGINT;
ALTER TABLE outbox ADD COLUMN next_attempt_at BIGINT;
ALTER TABLE outbox ADD COLUMN claimed_until BIGINT;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
ALTER TABLE outbox ADD COLUMN dead_at BIGINT;
ALTER TABLE outbox ADD COLUMN operation_id TEXT;
UPDATE outbox SET order_id = (payload::json ->> 'order_id')::BIGINT;
CREATE INDEX outbox_order ON outbox (order_id);
CREATE INDEX outbox_dead ON outbox (dead_at);
