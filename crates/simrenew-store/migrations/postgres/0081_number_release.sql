-- A lapsed line's number is released after its brand's retention: the line keeps its row and
-- history, marked released, and its number goes back to the brand's pool for a new line. A
-- number is unique among the lines that hold it, not among those that held it.
ALTER TABLE brands ADD COLUMN number_retention_days BIGINT NOT NULL DEFAULT 90
    CHECK (number_retention_days >= 0);
ALTER TABLE lines ADD COLUMN number_released_at BIGINT;
ALTER TABLE lines DROP CONSTRAINT lines_msisdn;
CREATE UNIQUE INDEX lines_msisdn ON lines (msisdn) WHERE number_released_at IS NULL;
CREATE INDEX lines_number_release ON lines (brand_id, lapsed_at)
    WHERE state = 'lapsed' AND number_released_at IS NULL;
