-- Payment methods saved for automatic renewal, as provider tokens only: a Stripe customer and
-- payment method (cus_..., pm_...), or a PayPal vault payment token. The label is what the
-- provider says the method is (brand and last four digits, or "PayPal"), never a card number,
-- CVC or IBAN.
CREATE TABLE saved_payment_methods (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL,
    line_id BIGINT NOT NULL REFERENCES lines (id),
    provider TEXT NOT NULL CHECK (provider IN ('stripe', 'paypal')),
    method TEXT NOT NULL,
    customer_ref TEXT,
    token_ref TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    removed_at BIGINT,
    CONSTRAINT saved_payment_methods_token UNIQUE (provider, token_ref)
);
CREATE INDEX saved_payment_methods_line ON saved_payment_methods (line_id);
