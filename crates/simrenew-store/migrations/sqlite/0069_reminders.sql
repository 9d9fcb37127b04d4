-- Reminders before a line lapses. Each brand's quiet hours for SMS (minutes after midnight in
-- its zone, 21:00 to 08:00 unless set). One row per line, expiry, step of the schedule and
-- channel, made when the step is due: the unique key is what keeps a reminder from going out
-- twice. A row is `sending` from its claim (committed before the gateway is asked) until the
-- gateway answered, so a worker killed mid-send leaves it `sending`, never sent again.
-- `code_hash` is the SHA-256 of the verification code the message carries.
ALTER TABLE brands ADD COLUMN quiet_from_minute BIGINT NOT NULL DEFAULT 1260;
ALTER TABLE brands ADD COLUMN quiet_until_minute BIGINT NOT NULL DEFAULT 480;
CREATE TABLE reminders (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL REFERENCES brands (id),
    line_id BIGINT NOT NULL REFERENCES lines (id),
    subscriber_id BIGINT NOT NULL REFERENCES subscribers (id),
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
    CONSTRAINT reminders_once UNIQUE (line_id, expires_at, step, channel),
    CONSTRAINT reminders_code UNIQUE (code_hash)
);
CREATE INDEX reminders_due ON reminders (state, due_at);
CREATE INDEX reminders_subscriber ON reminders (subscriber_id);
