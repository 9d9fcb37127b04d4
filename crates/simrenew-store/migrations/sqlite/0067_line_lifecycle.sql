-- The line lifecycle written by the worker: when a line lapsed, and when the network was
-- asked to suspend it (cleared when it is asked to resume it after a renewal).
ALTER TABLE lines ADD COLUMN lapsed_at BIGINT;
ALTER TABLE lines ADD COLUMN network_suspended_at BIGINT;
CREATE INDEX lines_lifecycle ON lines (state, expires_at);
CREATE INDEX lines_grace_end ON lines (state, grace_until);
