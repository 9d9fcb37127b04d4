-- Automatic renewal paid by a saved payment method of the line (NULL: from its credit), and
-- the subscriber's own cap on what automatic renewals charge the line in a calendar month of
-- the brand's zone (NULL: no cap; the brand's count limit holds all the same). A removed
-- saved method stops the automatic renewal's charges until another is chosen.
ALTER TABLE lines ADD COLUMN auto_renew_method_id BIGINT REFERENCES saved_payment_methods (id);
ALTER TABLE lines ADD COLUMN auto_renew_cap_cents BIGINT;
