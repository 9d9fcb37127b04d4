-- A day's due work found by index, each batch reading on where the last stopped rather than
-- over the whole due set again. The lifecycle and the reminders' planning go brand by brand
-- and state by state in the order of expiry (lines_due); a line in grace lapses when its
-- grace ends (lines_grace_end, which holds only the lines in grace, so renewing an active line
-- writes nothing to it); automatic renewals read only the lines that may be due
-- (lines_auto_renew_due) and the dead-letter list only those out of retries
-- (lines_auto_renew_stopped).
DROP INDEX lines_lifecycle;
DROP INDEX lines_auto_renew;
CREATE INDEX lines_due ON lines (state, brand_id, expires_at, id);
CREATE INDEX lines_grace_end ON lines (brand_id, grace_until) WHERE state = 'grace';
CREATE INDEX lines_auto_renew_due ON lines (expires_at, id)
  WHERE auto_renew = TRUE AND auto_renew_plan IS NOT NULL AND state IN ('active', 'grace')
    AND (auto_renew_attempts = 0 OR auto_renew_next_at IS NOT NULL);
CREATE INDEX lines_auto_renew_stopped ON lines (expires_at, id)
  WHERE auto_renew = TRUE AND auto_renew_attempts > 0 AND auto_renew_next_at IS NULL;
