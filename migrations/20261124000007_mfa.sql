-- Two-factor authentication: one TOTP secret per user and ten single-use recovery codes.

-- A row without `enabled_at` is an enrolment waiting for its first code. The secret is
-- AES-256-GCM under the field keys, bound to this table, column and user
-- (`platform::field_crypto`): the layout starts with version 1 and is at least header (17)
-- + 20 secret bytes + tag (16) long, so a plain secret cannot be written here by mistake.
CREATE TABLE user_mfa (
    user_id        uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    totp_secret    bytea NOT NULL CHECK (get_byte(totp_secret, 0) = 1 AND length(totp_secret) >= 53),
    enabled_at     timestamptz,
    -- The newest TOTP time step accepted; a code for this step or an older one is a replay.
    last_used_step bigint NOT NULL DEFAULT 0 CHECK (last_used_step >= 0),
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- Only a SHA-256 digest of each code, salted with the user id, is kept.
CREATE TABLE mfa_recovery_codes (
    user_id   uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash bytea NOT NULL CHECK (length(code_hash) = 32),
    used_at   timestamptz,
    PRIMARY KEY (user_id, code_hash)
);
