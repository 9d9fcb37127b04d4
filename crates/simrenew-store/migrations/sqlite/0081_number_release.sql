-- A lapsed line's number is released after its brand's retention: the line keeps its row and
-- history, marked released, and its number goes back to the brand's pool for a new line.
ALTER TABLE brands ADD COLUMN number_retention_days BIGINT NOT NULL DEFAULT 90
    CHECK (number_retention_days >= 0);
