-- Staff sign in with a password (argon2id hash in staff.password_hash) and a TOTP code
-- (staff.totp_secret), or a single-use recovery code instead of the TOTP code.
ALTER TABLE staff ADD COLUMN totp_enrolled_at BIGINT;

CREATE TABLE staff_recovery_codes (
    staff_id BIGINT NOT NULL REFERENCES staff (id),
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (staff_id, code_hash)
);

CREATE TABLE staff_sessions (
    token_hash TEXT PRIMARY KEY,
    staff_id BIGINT NOT NULL REFERENCES staff (id),
    csrf_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX staff_sessions_staff ON staff_sessions (staff_id);
