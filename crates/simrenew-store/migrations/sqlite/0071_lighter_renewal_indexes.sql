-- Fewer index entries written by each renewal. The lapse batch finds its lines through
-- lines_lifecycle (a line's grace never ends before its expiry), so lines_grace_end goes; the
-- indexes of columns that are mostly unset keep only the rows where they are set (lines with
-- auto-renew on, dead letters, orders placed from a stored quote); orders are found by line
-- alone (a line has few), so renewing one no longer rewrites orders_line.
DROP INDEX lines_grace_end;
DROP INDEX lines_auto_renew;
CREATE INDEX lines_auto_renew ON lines (expires_at) WHERE auto_renew = 1;
DROP INDEX outbox_dead;
CREATE INDEX outbox_dead ON outbox (dead_at) WHERE dead_at IS NOT NULL;
DROP INDEX orders_quote_id;
CREATE UNIQUE INDEX orders_quote_id ON orders (quote_id) WHERE quote_id IS NOT NULL;
DROP INDEX orders_line;
CREATE INDEX orders_line ON orders (line_id);
