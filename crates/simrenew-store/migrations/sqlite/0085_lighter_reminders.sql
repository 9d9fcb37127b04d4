-- A day's plan writes a hundred thousand reminders in a few statements, each row selected by
-- the database from the line it is for. Lines, subscribers and brands are never deleted (an
-- erased subscriber keeps its row, emptied), so the foreign keys of reminders checked nothing
-- a planning statement could get wrong, at the price of a lookup and a lock of the line for
-- each row, a sixth of the planning's time. The unique verification codes are indexed only
-- where a code was given: a planned reminder has none until it is claimed for sending.
-- SQLite drops constraints by building the table again (migrations run with foreign keys off).
CREATE TABLE reminders_new (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL,
    line_id BIGINT NOT NULL,
    subscriber_id BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    step BIGINT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
    due_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    code_hash TEXT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    claimed_at BIGINT,
    sent_at BIGINT,
    CONSTRAINT reminders_once UNIQUE (line_id, expires_at, step, channel)
);
INSERT INTO reminders_new (id, brand_id, line_id, subscriber_id, expires_at, step, channel, state,
                           due_at, attempts, code_hash, last_error, created_at, claimed_at, sent_at)
SELECT id, brand_id, line_id, subscriber_id, expires_at, step, channel, state, due_at, attempts,
       code_hash, last_error, created_at, claimed_at, sent_at
FROM reminders;
DROP TABLE reminders;
ALTER TABLE reminders_new RENAME TO reminders;
CREATE INDEX reminders_due ON reminders (state, due_at, id);
CREATE INDEX reminders_subscriber ON reminders (subscriber_id);
CREATE UNIQUE INDEX reminders_code ON reminders (code_hash) WHERE code_hash IS NOT NULL;
