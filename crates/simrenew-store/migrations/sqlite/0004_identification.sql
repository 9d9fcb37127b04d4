-- Identification of the subscriber behind a prepaid line (required in Belgium before a line
-- is activated): how, by whom and when, and a keyed hash of the document number — never the
-- number itself, never an image.
CREATE TABLE identifications (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL REFERENCES brands (id),
    subscriber_id BIGINT NOT NULL REFERENCES subscribers (id),
    line_id BIGINT NOT NULL REFERENCES lines (id),
    method TEXT NOT NULL CHECK (method IN ('eid', 'itsme', 'bank_payment', 'passport_at_store')),
    verifier TEXT NOT NULL,
    verified_at BIGINT NOT NULL,
    document_hash TEXT NOT NULL
);
CREATE INDEX identifications_line ON identifications (line_id);
