-- Nothing reads usage records by line: they are looked up by their id (the primary key) to
-- count each once, and the bundles carry what was used. The index on (line_id, started_at)
-- only made every kept record cost a second index entry. A read of a line's usage history
-- adds the index it needs.
DROP INDEX IF EXISTS usage_records_line;
