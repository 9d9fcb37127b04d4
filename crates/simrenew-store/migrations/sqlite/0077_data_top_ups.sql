-- Data top-ups: an add-on plan (top_up_plan) bought on the auto_renew channel when the data
-- left on the line falls under top_up_below_mb, paid as the line's automatic renewals are
-- (its credit or saved method, within the brand's monthly auto-debit limit and the
-- subscriber's cap). The usage batch that takes the line under the threshold marks it due
-- (top_up_due_at) in its own transaction; the worker claims it with a lease in top_up_next_at,
-- retries with back-off (top_up_attempts) and clears the mark when the top-up is paid or stops.
ALTER TABLE lines ADD COLUMN top_up_plan TEXT;
ALTER TABLE lines ADD COLUMN top_up_below_mb BIGINT;
ALTER TABLE lines ADD COLUMN top_up_due_at BIGINT;
ALTER TABLE lines ADD COLUMN top_up_attempts BIGINT NOT NULL DEFAULT 0;
ALTER TABLE lines ADD COLUMN top_up_next_at BIGINT;
CREATE INDEX lines_top_up_due ON lines (top_up_due_at) WHERE top_up_due_at IS NOT NULL;
