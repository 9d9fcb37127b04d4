-- Subscribers may add a TOTP second factor to sign-in by code, with single-use recovery codes.
ALTER TABLE subscribers ADD COLUMN totp_secret TEXT;
ALTER TABLE subscribers ADD COLUMN totp_enrolled_at BIGINT;

CREATE TABLE subscriber_recovery_codes (
    subscriber_id BIGINT NOT NULL REFERENCES subscribers (id),
    code_hash TEXT NOT NULL,
    used_at BIGINT,
    PRIMARY KEY (subscriber_id, code_hash)
);
