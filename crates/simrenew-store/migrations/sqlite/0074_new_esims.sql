-- New eSIM lines. A brand's pools: the numbers it may give to new lines, and the eSIM
-- profiles its SM-DP+ prepared for it (ES2+ downloadOrder names the ICCID, so that a repeated
-- order reserves nothing twice). An entry is taken by setting its line in the transaction
-- that creates the line; a number given back after its line's retention is free again.
CREATE TABLE number_pool (
    msisdn TEXT PRIMARY KEY,
    brand_id BIGINT NOT NULL REFERENCES brands (id),
    line_id BIGINT,
    added_at BIGINT NOT NULL,
    taken_at BIGINT
);
CREATE INDEX number_pool_free ON number_pool (brand_id, msisdn) WHERE line_id IS NULL;
CREATE TABLE esim_profiles (
    iccid TEXT PRIMARY KEY,
    brand_id BIGINT NOT NULL REFERENCES brands (id),
    line_id BIGINT,
    added_at BIGINT NOT NULL,
    taken_at BIGINT
);
CREATE INDEX esim_profiles_free ON esim_profiles (brand_id, iccid) WHERE line_id IS NULL;
-- A new eSIM's profile at the SM-DP+: `awaiting_payment` until its first order is paid,
-- `ordering` while the worker runs downloadOrder and confirmOrder, `held` when confirmed but
-- not released (the subscriber is not identified yet), `releasing` while releaseProfile runs,
-- `ready` when the activation code works, `cancelling` while cancelOrder runs after a refund
-- before install, then `cancelled`.
-- `identified` is set by identification, under this row's lock, so that a release is asked
-- for exactly once whichever of the confirmation and the identification commits first.
-- The install's progress comes from handleDownloadProgressInfo: the newest notification
-- (by its time, then its point) wins, repeats are kept once in esim_notifications.
CREATE TABLE esim_orders (
    line_id BIGINT PRIMARY KEY REFERENCES lines (id),
    brand_id BIGINT NOT NULL REFERENCES brands (id),
    order_id BIGINT NOT NULL REFERENCES orders (id),
    iccid TEXT NOT NULL UNIQUE,
    eid TEXT,
    matching_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('awaiting_payment', 'ordering', 'held', 'releasing',
        'ready', 'cancelling', 'cancelled')),
    identified INTEGER NOT NULL,
    install_state TEXT CHECK (install_state IN ('eligibility_checked', 'downloaded',
        'installed', 'enabled', 'disabled', 'deleted', 'failed')),
    install_detail TEXT,
    install_at BIGINT,
    install_point BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE esim_notifications (
    iccid TEXT NOT NULL,
    point BIGINT NOT NULL,
    at BIGINT NOT NULL,
    progress TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (iccid, point, at)
);
