-- The buyer's subscription portal (issue 22): links mailed with each receipt of a
-- subscription's payment. A random token of which only its SHA-256 digest is kept, naming
-- the subscription whose buyer it serves (the portal shows that buyer's subscriptions with
-- that merchant, in that mode). Expired links stay 90 days, for "send me a fresh link".
CREATE TABLE subscription_portal_links (
    digest          bytea PRIMARY KEY CHECK (length(digest) = 32),
    subscription_id uuid NOT NULL REFERENCES subscriptions (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL,
    CHECK (expires_at > created_at)
);
CREATE INDEX subscription_portal_links_expiry ON subscription_portal_links (expires_at);

GRANT SELECT, INSERT, DELETE ON subscription_portal_links TO saleonix_app;
