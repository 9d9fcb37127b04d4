-- How a brand's portal and counter console look: its colours (#rrggbb) and its logo (an SVG
-- document, served from our own origin). A brand without a row has the plain look.
CREATE TABLE brand_looks (
    brand_id BIGINT PRIMARY KEY REFERENCES brands (id),
    primary_colour TEXT NOT NULL,
    accent_colour TEXT NOT NULL,
    logo_svg TEXT
);

-- "My lines" reads a subscriber's lines on every visit.
CREATE INDEX lines_subscriber ON lines (subscriber_id, id);
