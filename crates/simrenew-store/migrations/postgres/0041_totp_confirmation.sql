-- A TOTP enrolment waits in totp_pending_secret (with its recovery codes marked pending) until
-- a first code of it is confirmed; until then the factor in totp_secret, or none, applies.
-- totp_last_step is the last time step whose code was accepted, so that a code is accepted
-- once.
ALTER TABLE staff ADD COLUMN totp_pending_secret TEXT;
ALTER TABLE staff ADD COLUMN totp_pending_at BIGINT;
ALTER TABLE staff ADD COLUMN totp_last_step BIGINT;
ALTER TABLE subscribers ADD COLUMN totp_pending_secret TEXT;
ALTER TABLE subscribers ADD COLUMN totp_pending_at BIGINT;
ALTER TABLE subscribers ADD COLUMN totp_last_step BIGINT;
ALTER TABLE staff_recovery_codes ADD COLUMN pending BIGINT NOT NULL DEFAULT 0;
ALTER TABLE subscriber_recovery_codes ADD COLUMN pending BIGINT NOT NULL DEFAULT 0;
