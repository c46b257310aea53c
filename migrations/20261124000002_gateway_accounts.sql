-- One Payten gateway account per mode: Test Mode talks to the sandbox (or Payten's test
-- host), Live Mode to BKT. The mode is the key, so the two can never be confused, and the
-- two secrets are AES-256-GCM ciphertexts bound to their row (see platform::field_crypto).
CREATE TABLE gateway_accounts (
    mode             payment_mode PRIMARY KEY,
    gate_url         text NOT NULL CHECK (gate_url ~ '^https?://'),
    api_url          text NOT NULL CHECK (api_url ~ '^https?://'),
    client_id        text NOT NULL CHECK (length(client_id) BETWEEN 1 AND 64),
    api_user         text NOT NULL CHECK (length(api_user) BETWEEN 1 AND 64),
    store_key_enc    bytea NOT NULL,
    api_password_enc bytea NOT NULL,
    updated_at       timestamptz NOT NULL DEFAULT now()
);
