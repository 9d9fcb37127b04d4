-- Notices of data used: a bundle passing 80 % and 100 % of its allowance, recorded in the
-- transaction of the usage that passed it, once per bundle and threshold. The reminder pass
-- turns each into reminders (step 10 000 + the percent, expiry the bundle's end) and marks it
-- planned in the same transaction. A bundle that passed both at once is told 100 % only (its
-- 80 % is planned when recorded); a line without a subscriber tells nobody. No foreign key
-- to bundles: a refund may take a bundle away, its notices stay as history.
CREATE TABLE data_notices (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL REFERENCES brands (id),
    line_id BIGINT NOT NULL REFERENCES lines (id),
    bundle_id BIGINT NOT NULL,
    percent BIGINT NOT NULL CHECK (percent IN (80, 100)),
    ends_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    planned_at BIGINT,
    CONSTRAINT data_notices_once UNIQUE (bundle_id, percent)
);
CREATE INDEX data_notices_unplanned ON data_notices (id) WHERE planned_at IS NULL;
