-- The customer an agent looked up at the counter, per credential (a session or an API key,
-- by the hash of its secret): the agent acts for that customer only until the next lookup.
CREATE TABLE counter_customers (
    credential_hash TEXT PRIMARY KEY,
    staff_id BIGINT NOT NULL REFERENCES staff (id),
    line_id BIGINT NOT NULL REFERENCES lines (id),
    subscriber_id BIGINT REFERENCES subscribers (id),
    since BIGINT NOT NULL
);
