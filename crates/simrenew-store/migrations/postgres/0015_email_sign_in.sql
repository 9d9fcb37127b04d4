-- Sign-in codes go to a number or to an e-mail address on record with a brand.
ALTER TABLE sign_in_codes RENAME COLUMN msisdn TO address;
DROP INDEX sign_in_codes_msisdn;
CREATE INDEX sign_in_codes_address ON sign_in_codes (address, id);
-- Subscribers are found by their e-mail address within a brand.
CREATE INDEX subscribers_email ON subscribers (brand_id, lower(email));
