-- A day's plan writes a hundred thousand reminders in a few statements, each row selected by
-- the database from the line it is for. Lines, subscribers and brands are never deleted (an
-- erased subscriber keeps its row, emptied), so the foreign keys of reminders checked nothing
-- a planning statement could get wrong, at the price of a lookup and a lock of the line for
-- each row, a sixth of the planning's time. The unique verification codes are indexed only
-- where a code was given: a planned reminder has none until it is claimed for sending.
ALTER TABLE reminders DROP CONSTRAINT reminders_brand_id_fkey;
ALTER TABLE reminders DROP CONSTRAINT reminders_line_id_fkey;
ALTER TABLE reminders DROP CONSTRAINT reminders_subscriber_id_fkey;
ALTER TABLE reminders DROP CONSTRAINT reminders_code;
CREATE UNIQUE INDEX reminders_code ON reminders (code_hash) WHERE code_hash IS NOT NULL;
