-- `demo`: the simulated card payments of `simrenew demo` (no money moves). Only the demo
-- installs that provider; the database merely allows its name.
ALTER TABLE provider_payments DROP CONSTRAINT provider_payments_provider_check;
ALTER TABLE provider_payments ADD CONSTRAINT provider_payments_provider_check
    CHECK (provider IN ('stripe', 'paypal', 'store', 'demo'));
