-- Renewal core: brands, catalog, lines, orders, payments, bundles, ledger, vouchers, outbox.
-- SQLite keeps booleans as INTEGER 0/1 (sqlx's Any driver does not map a declared BOOLEAN).
-- Instants are seconds since the Unix epoch (UTC) in BIGINT columns named *_at / *_until; the
-- brand's time zone is applied by the domain, never by the database.
-- Hot tables carry brand_id so that they can be distributed by it. They have no foreign key
-- to brands or plans: those rows are shared by every renewal, and a foreign key would make
-- every renewal share-lock them (PostgreSQL multixacts under concurrency). Brands and plans
-- are never deleted; catalog versions are immutable.

CREATE TABLE brands (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    currency TEXT NOT NULL,
    vat_rate_bp BIGINT NOT NULL CHECK (vat_rate_bp >= 0),
    grace_days BIGINT NOT NULL CHECK (grace_days >= 0),
    reminder_days TEXT NOT NULL,
    monthly_auto_debit_limit BIGINT NOT NULL CHECK (monthly_auto_debit_limit >= 0),
    portal_url TEXT NOT NULL
);

CREATE TABLE catalog_versions (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL REFERENCES brands (id),
    version BIGINT NOT NULL,
    effective_from BIGINT NOT NULL,
    published_at BIGINT NOT NULL,
    CONSTRAINT catalog_versions_brand_version UNIQUE (brand_id, version)
);

CREATE TABLE plans (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL REFERENCES brands (id),
    catalog_version_id BIGINT NOT NULL REFERENCES catalog_versions (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    data_mb BIGINT,
    validity_unit TEXT NOT NULL CHECK (validity_unit IN ('days', 'months', 'current_period')),
    validity_count BIGINT NOT NULL,
    price_cents BIGINT NOT NULL CHECK (price_cents >= 0),
    currency TEXT NOT NULL,
    line_kinds TEXT NOT NULL,
    channels TEXT NOT NULL,
    CONSTRAINT plans_version_code UNIQUE (catalog_version_id, code)
);

CREATE TABLE stores (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL REFERENCES brands (id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    opening_hours TEXT NOT NULL,
    capabilities TEXT NOT NULL,
    CONSTRAINT stores_brand_code UNIQUE (brand_id, code)
);

CREATE TABLE subscribers (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL REFERENCES brands (id),
    name TEXT NOT NULL,
    email TEXT,
    language TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE lines (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL REFERENCES brands (id),
    subscriber_id BIGINT REFERENCES subscribers (id),
    msisdn TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('physical_sim', 'esim', 'virtual_sim')),
    iccid TEXT,
    eid TEXT,
    activation_code TEXT,
    state TEXT NOT NULL,
    expires_at BIGINT,
    grace_until BIGINT,
    credit_cents BIGINT NOT NULL DEFAULT 0 CHECK (credit_cents >= 0),
    currency TEXT NOT NULL,
    auto_renew INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    CONSTRAINT lines_msisdn UNIQUE (msisdn),
    CONSTRAINT lines_iccid UNIQUE (iccid)
);
CREATE INDEX lines_brand_kind ON lines (brand_id, kind, id);

CREATE TABLE promotions (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL REFERENCES brands (id),
    name TEXT NOT NULL,
    code TEXT,
    rule TEXT NOT NULL CHECK (rule IN ('period_bonus', 'percent_off', 'amount_off')),
    buy_periods BIGINT,
    free_periods BIGINT,
    percent_bp BIGINT,
    amount_cents BIGINT,
    first_renewal_only INTEGER NOT NULL DEFAULT 0,
    plan_codes TEXT NOT NULL DEFAULT '',
    channels TEXT NOT NULL DEFAULT '',
    valid_from BIGINT NOT NULL,
    valid_until BIGINT,
    per_customer_limit BIGINT,
    global_limit BIGINT,
    stackable INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT promotions_brand_code UNIQUE (brand_id, code)
);

CREATE TABLE quotes (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL,
    line_id BIGINT NOT NULL REFERENCES lines (id),
    plan_id BIGINT NOT NULL,
    channel TEXT NOT NULL,
    quote TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    valid_until BIGINT NOT NULL
);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL,
    line_id BIGINT NOT NULL REFERENCES lines (id),
    plan_id BIGINT NOT NULL,
    channel TEXT NOT NULL,
    state TEXT NOT NULL,
    total_cents BIGINT NOT NULL,
    vat_cents BIGINT NOT NULL,
    currency TEXT NOT NULL,
    quote TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    paid_at BIGINT
);
CREATE INDEX orders_line ON orders (line_id, state);

CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL,
    order_id BIGINT NOT NULL REFERENCES orders (id),
    line_id BIGINT NOT NULL REFERENCES lines (id),
    method TEXT NOT NULL,
    amount_cents BIGINT NOT NULL,
    currency TEXT NOT NULL,
    voucher_id BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX payments_order ON payments (order_id);

CREATE TABLE bundles (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL,
    line_id BIGINT NOT NULL REFERENCES lines (id),
    order_id BIGINT REFERENCES orders (id),
    plan_code TEXT NOT NULL,
    data_mb BIGINT,
    data_used_mb BIGINT NOT NULL DEFAULT 0,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX bundles_line_ends ON bundles (line_id, ends_at);
CREATE INDEX bundles_order ON bundles (order_id);

CREATE TABLE ledger_entries (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL,
    line_id BIGINT NOT NULL REFERENCES lines (id),
    amount_cents BIGINT NOT NULL,
    balance_after_cents BIGINT NOT NULL CHECK (balance_after_cents >= 0),
    currency TEXT NOT NULL,
    reason TEXT NOT NULL,
    order_id BIGINT REFERENCES orders (id),
    voucher_id BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX ledger_entries_line ON ledger_entries (line_id, id);

CREATE TABLE promotion_uses (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL,
    promotion_id BIGINT NOT NULL REFERENCES promotions (id),
    customer TEXT NOT NULL,
    line_id BIGINT NOT NULL REFERENCES lines (id),
    order_id BIGINT NOT NULL REFERENCES orders (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX promotion_uses_promotion ON promotion_uses (promotion_id, customer);

CREATE TABLE voucher_batches (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL REFERENCES brands (id),
    name TEXT NOT NULL,
    count BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE vouchers (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL REFERENCES brands (id),
    batch_id BIGINT NOT NULL REFERENCES voucher_batches (id),
    code TEXT NOT NULL,
    value_cents BIGINT,
    currency TEXT,
    plan_code TEXT,
    expires_at BIGINT,
    redeemed_line_id BIGINT REFERENCES lines (id),
    redeemed_at BIGINT,
    created_at BIGINT NOT NULL,
    CONSTRAINT vouchers_code UNIQUE (code),
    CHECK ((value_cents IS NULL) <> (plan_code IS NULL))
);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    brand_id BIGINT NOT NULL,
    line_id BIGINT NOT NULL REFERENCES lines (id),
    topic TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    processed_at BIGINT
);
CREATE INDEX outbox_pending ON outbox (processed_at, id);

CREATE TABLE idempotency_keys (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status BIGINT,
    body TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);
