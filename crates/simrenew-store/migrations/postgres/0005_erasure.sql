-- GDPR erasure: a subscriber's personal data is replaced, the row (and the orders, payments
-- and ledger entries that billing law requires) stays, pseudonymous.
ALTER TABLE subscribers ADD COLUMN erased_at BIGINT;
