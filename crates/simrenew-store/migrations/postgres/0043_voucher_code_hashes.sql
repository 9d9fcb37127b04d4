-- Voucher codes are bearer secrets: a voucher keeps the keyed hash of its code (HMAC-SHA256
-- under SIMRENEW_VOUCHER_KEY) in code_hash and is found by it. Expand: code may be NULL and
-- code_hash is added; the codes an older version kept in clear are hashed by the application
-- (`simrenew migrate`, and every maintenance run), which has the key, and their clear code
-- is then cleared. Contract, in a later release: drop code.
ALTER TABLE vouchers ALTER COLUMN code DROP NOT NULL;
ALTER TABLE vouchers ADD COLUMN code_hash TEXT;
CREATE UNIQUE INDEX vouchers_code_hash ON vouchers (code_hash);
