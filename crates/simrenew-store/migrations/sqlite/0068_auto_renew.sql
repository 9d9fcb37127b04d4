-- Automatic renewal per line: the plan it buys, the failed attempts since the last success,
-- and when the next attempt is due (NULL: now, or never once the retries are spent).
ALTER TABLE lines ADD COLUMN auto_renew_plan TEXT;
ALTER TABLE lines ADD COLUMN auto_renew_attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE lines ADD COLUMN auto_renew_next_at BIGINT;
CREATE INDEX lines_auto_renew ON lines (auto_renew, expires_at);
