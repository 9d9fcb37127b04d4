-- What is pruned is found by the instant it is over at.
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_last_seen_at ON sessions (last_seen_at);
CREATE INDEX sessions_revoked_at ON sessions (revoked_at);
CREATE INDEX staff_sessions_expires_at ON staff_sessions (expires_at);
CREATE INDEX staff_sessions_last_seen_at ON staff_sessions (last_seen_at);
CREATE INDEX staff_sessions_revoked_at ON staff_sessions (revoked_at);
CREATE INDEX sign_in_codes_expires_at ON sign_in_codes (expires_at);
CREATE INDEX counter_customers_since ON counter_customers (since);
CREATE INDEX idempotency_keys_created_at ON idempotency_keys (created_at);
CREATE INDEX staff_totp_pending_at ON staff (totp_pending_at);
CREATE INDEX subscribers_totp_pending_at ON subscribers (totp_pending_at);
