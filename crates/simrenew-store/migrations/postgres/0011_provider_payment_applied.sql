-- Whether a captured provider payment is the one that paid its order's renewal. A capture that
-- did not (the order was paid otherwise, or flagged for review) is money without renewal:
-- reconciliation lists it, and refunding it takes no time off the line.
ALTER TABLE provider_payments ADD COLUMN applied BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE provider_payments SET applied = TRUE
    WHERE status IN ('captured', 'refunded')
      AND order_id IN (SELECT id FROM orders WHERE state IN ('syncing', 'completed'));
