-- A brand's stock of physical SIM cards for new lines sold at a counter: the ICCIDs printed on
-- the cards it holds. A card is taken by setting its line in the transaction that creates the
-- line, so that one card is sold once, and only a card of the brand's stock is.
CREATE TABLE sim_cards (
    iccid TEXT PRIMARY KEY,
    brand_id BIGINT NOT NULL REFERENCES brands (id),
    line_id BIGINT,
    added_at BIGINT NOT NULL,
    taken_at BIGINT
);
CREATE INDEX sim_cards_free ON sim_cards (brand_id, iccid) WHERE line_id IS NULL;
