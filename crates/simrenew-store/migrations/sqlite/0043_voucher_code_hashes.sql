-- Voucher codes are bearer secrets: a voucher keeps the keyed hash of its code (HMAC-SHA256
-- under SIMRENEW_VOUCHER_KEY) in code_hash and is found by it. Expand: code may be NULL and
-- code_hash is added; the codes an older version kept in clear are hashed by the application
-- (`simrenew migrate`, and every maintenance run), which has the key, and their clear code
-- is then cleared. Contract, in a later release: drop code.
-- SQLite cannot drop a NOT NULL, so the table is rebuilt (nothing refers to it by a foreign
-- key).
CREATE TABLE vouchers_hashed (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL REFERENCES brands (id),
    batch_id BIGINT NOT NULL REFERENCES voucher_batches (id),
    code TEXT,
    code_hash TEXT,
    value_cents BIGINT,
    currency TEXT,
    plan_code TEXT,
    expires_at BIGINT,
    redeemed_line_id BIGINT REFERENCES lines (id),
    redeemed_at BIGINT,
    created_at BIGINT NOT NULL,
    CONSTRAINT vouchers_code UNIQUE (code),
    CONSTRAINT vouchers_code_hash UNIQUE (code_hash),
    CHECK ((value_cents IS NULL) <> (plan_code IS NULL))
);
INSERT INTO vouchers_hashed (id, brand_id, batch_id, code, value_cents, currency, plan_code,
    expires_at, redeemed_line_id, redeemed_at, created_at)
SELECT id, brand_id, batch_id, code, value_cents, currency, plan_code, expires_at,
    redeemed_line_id, redeemed_at, created_at FROM vouchers;
DROP TABLE vouchers;
ALTER TABLE vouchers_hashed RENAME TO vouchers;
