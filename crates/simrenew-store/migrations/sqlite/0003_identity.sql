-- Identity and access: staff, their stores, API keys, sessions, one-time codes, rate-limit
-- events, identification records, the hash-chained audit log; and who placed each order.

CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('platform_admin', 'brand_admin', 'agent')),
    brand_id BIGINT REFERENCES brands (id),
    password_hash TEXT,
    totp_secret TEXT,
    created_at BIGINT NOT NULL,
    disabled_at BIGINT,
    CONSTRAINT staff_email UNIQUE (email),
    CHECK ((role = 'platform_admin') = (brand_id IS NULL))
);

CREATE TABLE staff_stores (
    staff_id BIGINT NOT NULL REFERENCES staff (id),
    store_id BIGINT NOT NULL REFERENCES stores (id),
    PRIMARY KEY (staff_id, store_id)
);

-- A key is shown once; only the SHA-256 of its secret part is kept (the secret is 256 random
-- bits, so a fast hash is enough). `prefix` is the public part used to find the row.
CREATE TABLE api_keys (
    id INTEGER PRIMARY KEY,
    prefix TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    staff_id BIGINT REFERENCES staff (id),
    brand_id BIGINT REFERENCES brands (id),
    scopes TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    revoked_at BIGINT,
    CONSTRAINT api_keys_prefix UNIQUE (prefix),
    CHECK ((staff_id IS NULL) <> (brand_id IS NULL))
);

ALTER TABLE orders ADD COLUMN placed_by TEXT;

-- Append-only and hash-chained. Entries are chained per `chain` (a line's money movements
-- chain on that line, whose row lock already orders them; staff and admin actions chain on
-- "admin"), so that appending never makes unrelated renewals wait on each other. `hash` is
-- SHA-256 over "prev_hash|seq|at|actor|action|subject|details"; `audit_heads` keeps each
-- chain's last entry, so that deleting the newest entries is detected too.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    chain TEXT NOT NULL,
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    CONSTRAINT audit_log_chain_seq UNIQUE (chain, seq)
);

CREATE TABLE audit_heads (
    chain TEXT PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);

-- Subscriber sign-in: a one-time code sent to one of the subscriber's numbers. Only a hash of
-- the code is kept (SHA-256 of "id:code"); a code lives 5 minutes and allows 5 attempts.
CREATE TABLE sign_in_codes (
    id INTEGER PRIMARY KEY,
    msisdn TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    used_at BIGINT
);
CREATE INDEX sign_in_codes_msisdn ON sign_in_codes (msisdn, id);

-- Sessions are found by the SHA-256 of their cookie; the CSRF token is kept hashed too.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    subscriber_id BIGINT NOT NULL REFERENCES subscribers (id),
    csrf_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX sessions_subscriber ON sessions (subscriber_id);

-- Events counted by the rate limits (codes asked per number and per client address).
CREATE TABLE rate_events (
    key TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX rate_events_key ON rate_events (key, at);
