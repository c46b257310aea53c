-- The merchant API (issue 21): secret keys per merchant and mode, and the answers kept for
-- idempotent POSTs.

CREATE TABLE api_keys (
    id            uuid PRIMARY KEY,
    merchant_id   uuid NOT NULL REFERENCES merchants (id),
    mode          payment_mode NOT NULL,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- `sk_test_` or `sk_live_` and the first characters of the secret: how people tell
    -- their keys apart. Never enough to use.
    prefix        text NOT NULL CHECK (prefix ~ '^sk_(test|live)_[A-Za-z0-9]{4}$'),
    -- SHA-256 of the whole key: the key itself is never stored.
    digest        bytea NOT NULL UNIQUE CHECK (length(digest) = 32),
    -- NULL: every resource at write. Otherwise {"<resource>": "read" | "write"}.
    permissions   jsonb CHECK (permissions IS NULL OR jsonb_typeof(permissions) = 'object'),
    created_by    uuid NOT NULL REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    -- The key this one replaced when it was rolled.
    rolled_from   uuid REFERENCES api_keys (id),
    -- A rolled key keeps working until then, so a shop can switch without downtime.
    expires_at    timestamptz,
    revoked_at    timestamptz,
    revoked_by    uuid REFERENCES users (id),
    last_used_at  timestamptz,
    last_used_ip  text CHECK (length(last_used_ip) <= 45),
    CHECK (prefix LIKE 'sk_' || mode::text || '_%'),
    CHECK ((revoked_at IS NULL) = (revoked_by IS NULL))
);
CREATE INDEX api_keys_by_merchant ON api_keys (merchant_id, created_at DESC);

-- The first answer to a POST with an `Idempotency-Key`, per API key (and so per mode):
-- a repeat gets it back instead of acting twice. `response_status` is NULL while the first
-- request is still running.
CREATE TABLE api_idempotency (
    api_key_id       uuid NOT NULL REFERENCES api_keys (id),
    key              text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    -- SHA-256 of the method, the path and the body: the same key with another request is refused.
    request_digest   bytea NOT NULL CHECK (length(request_digest) = 32),
    response_status  smallint CHECK (response_status BETWEEN 100 AND 599),
    response_body    jsonb,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (api_key_id, key),
    CHECK ((response_status IS NULL) = (response_body IS NULL))
);
CREATE INDEX api_idempotency_by_age ON api_idempotency (created_at);

-- Keys are never deleted (the audit trail names them); idempotency rows age out.
GRANT SELECT, INSERT, UPDATE ON api_keys TO saleonix_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON api_idempotency TO saleonix_app;

-- Refunds asked for through the API are recorded as such (the audit row names the key).
ALTER TABLE refunds DROP CONSTRAINT refunds_requested_via_check;
ALTER TABLE refunds ADD CONSTRAINT refunds_requested_via_check
    CHECK (requested_via IN ('dashboard', 'console', 'platform', 'api'));
