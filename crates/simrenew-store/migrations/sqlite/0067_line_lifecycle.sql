-- The line lifecycle written by the worker: when a line lapsed, and when the network was
-- asked to suspend it.
ALTER TABLE lines ADD COLUMN lapsed_at BIGINT;
ALTER TABLE lines ADD COLUMN network_suspended_at BIGINT;
CREATE INDEX lines_lifecycle ON lines (state, expires_at);
CREATE INDEX lines_grace_end ON lines (state, grace_until);
