-- `demo`: the simulated card payments of `simrenew demo` (no money moves). Only the demo
-- installs that provider; the database merely allows its name.
--
-- SQLite cannot change a CHECK constraint in place: the table is rebuilt and renamed. The
-- migration runs in a transaction, where foreign keys cannot be turned off, so the refunds
-- that point at it are set aside first and put back once it stands again: dropping a parent
-- of no child violates nothing.
CREATE TEMPORARY TABLE refunds_kept AS SELECT * FROM refunds;
DELETE FROM refunds;
CREATE TABLE provider_payments_new (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    provider TEXT NOT NULL CHECK (provider IN ('stripe', 'paypal', 'store', 'demo')),
    method TEXT NOT NULL,
    provider_ref TEXT,
    idempotency_key TEXT NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    next_action_url TEXT,
    capture_ref TEXT,
    refunded_cents BIGINT NOT NULL DEFAULT 0 CHECK (refunded_cents >= 0),
    store_code TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    applied INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT provider_payments_idempotency_key UNIQUE (idempotency_key),
    CONSTRAINT provider_payments_provider_ref UNIQUE (provider, provider_ref)
);
INSERT INTO provider_payments_new (id, brand_id, order_id, provider, method, provider_ref,
    idempotency_key, amount_cents, currency, status, next_action_url, capture_ref,
    refunded_cents, store_code, created_at, updated_at, applied)
SELECT id, brand_id, order_id, provider, method, provider_ref, idempotency_key, amount_cents,
    currency, status, next_action_url, capture_ref, refunded_cents, store_code, created_at,
    updated_at, applied
FROM provider_payments;
DROP TABLE provider_payments;
ALTER TABLE provider_payments_new RENAME TO provider_payments;
CREATE INDEX provider_payments_order ON provider_payments (order_id);
CREATE INDEX provider_payments_created ON provider_payments (created_at);
INSERT INTO refunds SELECT * FROM refunds_kept;
DROP TABLE refunds_kept;
