-- Price changes with notice. A catalog version is *noticed* once the worker has recorded, for
-- every line renewing automatically a plan whose price it raises, a price notice (old and new
-- price, when the version comes into force) with its messages, in one transaction. The
-- messages are reminders (step 30 000, expiry the version's start): their channel, time and
-- id are the notice's record; the rise binds a line 30 days after its first was sent.
-- Versions published before this are taken as noticed.
ALTER TABLE catalog_versions ADD COLUMN noticed_at BIGINT;
UPDATE catalog_versions SET noticed_at = published_at;
CREATE TABLE price_notices (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL REFERENCES brands (id),
    line_id BIGINT NOT NULL REFERENCES lines (id),
    catalog_version_id BIGINT NOT NULL REFERENCES catalog_versions (id),
    plan_code TEXT NOT NULL,
    old_price_cents BIGINT NOT NULL,
    new_price_cents BIGINT NOT NULL,
    effective_from BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    CONSTRAINT price_notices_once UNIQUE (line_id, catalog_version_id, plan_code)
);
CREATE INDEX price_notices_line ON price_notices (line_id, plan_code);
