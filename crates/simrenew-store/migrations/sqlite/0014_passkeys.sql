-- Passkeys (WebAuthn) for subscriber sign-in. The credential is webauthn-rs's `Passkey` as JSON
-- (public key, counter, flags); the credential id is its hex form, unique across all accounts.
CREATE TABLE passkeys (
    id INTEGER PRIMARY KEY,
    subscriber_id BIGINT NOT NULL REFERENCES subscribers (id),
    credential_id TEXT NOT NULL,
    credential TEXT NOT NULL,
    label TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    CONSTRAINT passkeys_credential_id UNIQUE (credential_id)
);
CREATE INDEX passkeys_subscriber ON passkeys (subscriber_id);

-- A registration or sign-in between its two requests: found by the SHA-256 of its id, its
-- state as JSON, 5 minutes to live, used once. A sign-in has no subscriber until it ends.
CREATE TABLE webauthn_challenges (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL,
    subscriber_id BIGINT REFERENCES subscribers (id),
    kind TEXT NOT NULL CHECK (kind IN ('registration', 'authentication')),
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT,
    CONSTRAINT webauthn_challenges_token_hash UNIQUE (token_hash)
);
CREATE INDEX webauthn_challenges_expires_at ON webauthn_challenges (expires_at);
