-- Identity: single-use account tokens (email verification, password reset) and
-- server-side sessions.

CREATE TYPE account_token_purpose AS ENUM ('verify_email', 'reset_password');

-- Only a SHA-256 digest of each token is kept: the token itself exists only in the email
-- that carries it, so a copy of this table opens no account.
CREATE TABLE account_tokens (
    token_hash bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    account_token_purpose NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX account_tokens_by_user ON account_tokens (user_id, purpose);
CREATE INDEX account_tokens_by_expiry ON account_tokens (expires_at);

-- tower-sessions records. The key is a SHA-256 digest of the session id, so neither a
-- database reader nor a backup can replay a session cookie. `user_id` is derived from the
-- record so that an account's sessions can be listed and revoked in one statement (a
-- password reset revokes them all).
CREATE TABLE sessions (
    id_hash    bytea PRIMARY KEY CHECK (length(id_hash) = 32),
    data       jsonb NOT NULL,
    expires_at timestamptz NOT NULL,
    user_id    uuid GENERATED ALWAYS AS ((data -> 'auth' ->> 'user_id')::uuid) STORED
               REFERENCES users (id) ON DELETE CASCADE,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
