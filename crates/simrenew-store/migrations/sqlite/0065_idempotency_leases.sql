-- Idempotency keys scoped to the authenticated principal, with the lease of the attempt
-- running the request (`attempt` is its fencing token), the effect that attempt committed
-- (marked in the effect's own transaction) and a sealed answer. Rows written before were
-- scoped by the Authorization header and kept their answers in clear: they go.
DELETE FROM idempotency_keys;
ALTER TABLE idempotency_keys ADD COLUMN attempt TEXT;
ALTER TABLE idempotency_keys ADD COLUMN lease_until BIGINT;
ALTER TABLE idempotency_keys ADD COLUMN effect TEXT;
ALTER TABLE idempotency_keys ADD COLUMN effect_at BIGINT;

-- A stored quote is frozen by one order.
ALTER TABLE orders ADD COLUMN quote_id BIGINT;
CREATE UNIQUE INDEX orders_quote_id ON orders (quote_id);
