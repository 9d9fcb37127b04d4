-- Payments taken by a provider (Stripe, PayPal) or recorded at a store (cash, card terminal),
-- the provider webhook events already handled, and refunds. No card number, CVC or IBAN is
-- ever stored: only the provider's references.

CREATE TABLE provider_payments (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    provider TEXT NOT NULL CHECK (provider IN ('stripe', 'paypal', 'store')),
    method TEXT NOT NULL,
    -- PaymentIntent id, PayPal order id, or the store terminal's reference.
    provider_ref TEXT,
    -- Sent with every provider call about this payment (suffixed per operation).
    idempotency_key TEXT NOT NULL,
    amount_cents BIGINT NOT NULL CHECK (amount_cents >= 0),
    currency TEXT NOT NULL,
    status TEXT NOT NULL,
    next_action_url TEXT,
    -- PayPal refunds are made against the capture, not the order.
    capture_ref TEXT,
    refunded_cents BIGINT NOT NULL DEFAULT 0 CHECK (refunded_cents >= 0),
    store_code TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CONSTRAINT provider_payments_idempotency_key UNIQUE (idempotency_key),
    CONSTRAINT provider_payments_provider_ref UNIQUE (provider, provider_ref)
);
CREATE INDEX provider_payments_order ON provider_payments (order_id);
CREATE INDEX provider_payments_created ON provider_payments (created_at);

-- One row per provider event handled, so that a duplicate delivery changes nothing.
CREATE TABLE webhook_events (
    provider TEXT NOT NULL,
    event_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (provider, event_id)
);

CREATE TABLE refunds (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL,
    provider_payment_id BIGINT NOT NULL REFERENCES provider_payments (id),
    order_id BIGINT NOT NULL REFERENCES orders (id),
    amount_cents BIGINT NOT NULL CHECK (amount_cents > 0),
    currency TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    provider_ref TEXT,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT refunds_idempotency_key UNIQUE (idempotency_key)
);
CREATE INDEX refunds_payment ON refunds (provider_payment_id);
