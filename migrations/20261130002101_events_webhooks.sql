-- Events and webhooks (issue 21). An event is written in the transaction of the change it
-- reports, with one outbox row per endpoint subscribed to it; workers drain the outbox
-- with SKIP LOCKED and log every attempt. Events and attempts are kept 30 days
-- (platform::webhooks::delivery::prune).

CREATE TABLE events (
    id          uuid PRIMARY KEY,
    -- The order events were recorded in: deliveries for one object follow it.
    seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    merchant_id uuid NOT NULL REFERENCES merchants (id),
    mode        payment_mode NOT NULL,
    type        text NOT NULL CHECK (type ~ '^[a-z_]+(\.[a-z_]+)+$'),
    -- The object's API id (`pay_<hex>`).
    object_id   text NOT NULL CHECK (length(object_id) BETWEEN 1 AND 100),
    data        jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
-- The events list: a merchant's mode, newest first, by the (created_at, id) cursor.
CREATE INDEX events_by_merchant ON events (merchant_id, mode, created_at DESC, id DESC);
CREATE INDEX events_by_age ON events (created_at);

CREATE TABLE webhook_endpoints (
    id              uuid PRIMARY KEY,
    merchant_id     uuid NOT NULL REFERENCES merchants (id),
    mode            payment_mode NOT NULL,
    url             text NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
    description     text NOT NULL DEFAULT '' CHECK (length(description) <= 500),
    -- NULL: every event type, present and future.
    event_types     text[],
    enabled         boolean NOT NULL DEFAULT true,
    disabled_reason text,
    -- The signing secret, encrypted with the field key ring (bound to this row).
    secret          bytea NOT NULL,
    -- After a rotation, the old secret signs too until it expires.
    previous_secret bytea,
    previous_secret_expires_at timestamptz,
    -- The first failed attempt since the last success; five days of it disable the endpoint.
    failing_since   timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL)),
    CHECK (enabled OR disabled_reason IS NOT NULL)
);
CREATE INDEX webhook_endpoints_by_merchant ON webhook_endpoints (merchant_id, mode, created_at);

-- The outbox: one row per event and endpoint, plus one per manual resend or test event.
CREATE TABLE webhook_deliveries (
    id              uuid PRIMARY KEY,
    endpoint_id     uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id        uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    event_seq       bigint NOT NULL,
    object_id       text NOT NULL,
    -- A resend or test event a person asked for: one attempt, outside the object's order.
    manual          boolean NOT NULL DEFAULT false,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
-- The ordering check: an earlier pending delivery of the same object to the same endpoint.
CREATE INDEX webhook_deliveries_by_object ON webhook_deliveries (endpoint_id, object_id, event_seq)
    WHERE status = 'pending' AND NOT manual;
CREATE INDEX webhook_deliveries_by_event ON webhook_deliveries (event_id);

-- Every attempt, for the endpoint's delivery log.
CREATE TABLE webhook_attempts (
    id              uuid PRIMARY KEY,
    delivery_id     uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    endpoint_id     uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id        uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    attempt         integer NOT NULL CHECK (attempt >= 1),
    attempted_at    timestamptz NOT NULL,
    response_status integer,
    -- The first 2 KB of the response body.
    response_body   text CHECK (octet_length(response_body) <= 2048),
    duration_ms     integer NOT NULL CHECK (duration_ms >= 0),
    error_class     text,
    CHECK (response_status IS NOT NULL OR error_class IS NOT NULL)
);
CREATE INDEX webhook_attempts_log ON webhook_attempts (endpoint_id, attempted_at DESC, id DESC);
CREATE INDEX webhook_attempts_by_age ON webhook_attempts (attempted_at);

GRANT SELECT, INSERT, DELETE ON events TO saleonix_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_endpoints, webhook_deliveries TO saleonix_app;
GRANT SELECT, INSERT, DELETE ON webhook_attempts TO saleonix_app;
