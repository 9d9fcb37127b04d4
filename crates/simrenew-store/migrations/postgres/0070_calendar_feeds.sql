-- Each subscriber's calendar feed: the SHA-256 of the token in its address (NULL: none made
-- yet, or erased). Replacing it ends the old address.
ALTER TABLE subscribers ADD COLUMN calendar_token_hash TEXT;
CREATE UNIQUE INDEX subscribers_calendar_token ON subscribers (calendar_token_hash);
