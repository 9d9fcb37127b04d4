-- A number is unique among the lines that hold it, not among those that held it (0081).
-- SQLite cannot drop a table's constraint: the table is made again with its rows, as SQLite's
-- documentation describes it, with the references to it unchecked while it is made (the
-- migrations run with `foreign_keys` off, `Db::migrate`): its rows keep their ids, so that
-- every reference still holds, and the references are checked after.
CREATE TABLE lines_remade (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL REFERENCES brands (id),
    subscriber_id BIGINT REFERENCES subscribers (id),
    msisdn TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('physical_sim', 'esim', 'virtual_sim')),
    iccid TEXT,
    eid TEXT,
    activation_code TEXT,
    state TEXT NOT NULL,
    expires_at BIGINT,
    grace_until BIGINT,
    credit_cents BIGINT NOT NULL DEFAULT 0 CHECK (credit_cents >= 0),
    currency TEXT NOT NULL,
    auto_renew INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    lapsed_at BIGINT,
    network_suspended_at BIGINT,
    auto_renew_plan TEXT,
    auto_renew_attempts BIGINT NOT NULL DEFAULT 0,
    auto_renew_next_at BIGINT,
    auto_renew_method_id BIGINT REFERENCES saved_payment_methods (id),
    auto_renew_cap_cents BIGINT,
    top_up_plan TEXT,
    top_up_below_mb BIGINT,
    top_up_due_at BIGINT,
    top_up_attempts BIGINT NOT NULL DEFAULT 0,
    top_up_next_at BIGINT,
    number_released_at BIGINT,
    CONSTRAINT lines_iccid UNIQUE (iccid)
);
INSERT INTO lines_remade (id, brand_id, subscriber_id, msisdn, kind, iccid, eid,
    activation_code, state, expires_at, grace_until, credit_cents, currency, auto_renew,
    created_at, lapsed_at, network_suspended_at, auto_renew_plan, auto_renew_attempts,
    auto_renew_next_at, auto_renew_method_id, auto_renew_cap_cents, top_up_plan,
    top_up_below_mb, top_up_due_at, top_up_attempts, top_up_next_at)
SELECT id, brand_id, subscriber_id, msisdn, kind, iccid, eid, activation_code, state,
    expires_at, grace_until, credit_cents, currency, auto_renew, created_at, lapsed_at,
    network_suspended_at, auto_renew_plan, auto_renew_attempts, auto_renew_next_at,
    auto_renew_method_id, auto_renew_cap_cents, top_up_plan, top_up_below_mb, top_up_due_at,
    top_up_attempts, top_up_next_at
FROM lines;
DROP TABLE lines;
ALTER TABLE lines_remade RENAME TO lines;
CREATE UNIQUE INDEX lines_msisdn ON lines (msisdn) WHERE number_released_at IS NULL;
CREATE INDEX lines_brand_kind ON lines (brand_id, kind, id);
CREATE INDEX lines_subscriber ON lines (subscriber_id, id);
CREATE INDEX lines_lifecycle ON lines (state, expires_at);
CREATE INDEX lines_auto_renew ON lines (expires_at) WHERE auto_renew = 1;
CREATE INDEX lines_top_up_due ON lines (top_up_due_at) WHERE top_up_due_at IS NOT NULL;
CREATE INDEX lines_number_release ON lines (brand_id, lapsed_at)
    WHERE state = 'lapsed' AND number_released_at IS NULL;
