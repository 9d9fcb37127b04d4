-- The claim of due reminders takes the oldest first, `ORDER BY due_at, id`. A day's plan gives
-- tens of thousands of rows the same due_at, and with an index of (state, due_at) alone every
-- claim of a few rows read and sorted all of them; with id in the index a claim reads only the
-- rows it takes.
DROP INDEX reminders_due;
CREATE INDEX reminders_due ON reminders (state, due_at, id);
