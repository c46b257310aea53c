-- Refunds, reconciliation against the gateway, and the fraud checks made before a buyer is
-- sent to the gateway.

-- Refunds ---------------------------------------------------------------------------------

-- Money held by refunds that were sent and whose answer is not in yet (or never came).
-- Together with what was refunded it can never pass what was paid: the CHECK makes two
-- simultaneous requests unable to over-refund, whatever the code above it does.
ALTER TABLE payments
    ADD COLUMN refund_pending_minor bigint NOT NULL DEFAULT 0 CHECK (refund_pending_minor >= 0),
    ADD CONSTRAINT payments_refunds_within_amount CHECK (refunded_minor + refund_pending_minor <= amount_minor);

CREATE TYPE refund_status AS ENUM ('pending', 'succeeded', 'failed', 'unknown');
CREATE TYPE refund_method AS ENUM ('void', 'credit');

CREATE TABLE refunds (
    id                uuid PRIMARY KEY,
    payment_id        uuid NOT NULL REFERENCES payments (id),
    merchant_id       uuid NOT NULL REFERENCES merchants (id),
    mode              payment_mode NOT NULL,
    -- Chosen by the screen that asked, once per request: asking again with it returns
    -- this refund instead of making a second one.
    request_id        uuid NOT NULL UNIQUE,
    amount_minor      minor_amount NOT NULL,
    currency          currency_code NOT NULL,
    method            refund_method NOT NULL,
    status            refund_status NOT NULL DEFAULT 'pending',
    reason            text CHECK (length(reason) <= 500),
    requested_by      uuid REFERENCES users (id),
    -- 'dashboard' (a merchant member) or 'console' (staff).
    requested_via     text NOT NULL CHECK (requested_via IN ('dashboard', 'console')),
    host_ref_num      text CHECK (length(host_ref_num) <= 40),
    trans_id          text CHECK (length(trans_id) <= 64),
    -- A fixed phrase, shown to the merchant, when the gateway refused.
    failure           text CHECK (length(failure) <= 300),
    created_at        timestamptz NOT NULL DEFAULT now(),
    completed_at      timestamptz,
    CHECK ((status IN ('succeeded', 'failed')) = (completed_at IS NOT NULL))
);
CREATE INDEX refunds_by_payment ON refunds (payment_id, created_at);
-- The console lists every merchant's payments, newest first.
CREATE INDEX payments_by_time ON payments (created_at DESC, id DESC);
CREATE INDEX refunds_by_merchant ON refunds (merchant_id, mode, created_at DESC);
-- One refund in flight per payment: an unknown outcome is resolved before the next is
-- sent, so the gateway's order history always tells which request it did.
CREATE UNIQUE INDEX refunds_one_open_per_payment ON refunds (payment_id) WHERE status IN ('pending', 'unknown');

-- Reconciliation --------------------------------------------------------------------------

-- When the worker next asks the gateway about this payment (NULL: nothing to ask), how many
-- times it has, and what the last answer was compared with ours.
CREATE TYPE reconciliation_state AS ENUM ('matched', 'mismatched', 'unresolved');
ALTER TABLE payments
    ADD COLUMN recon_due_at      timestamptz,
    ADD COLUMN recon_attempts    integer NOT NULL DEFAULT 0 CHECK (recon_attempts >= 0),
    ADD COLUMN recon_state       reconciliation_state,
    ADD COLUMN recon_checked_at  timestamptz;
CREATE INDEX payments_recon_due ON payments (recon_due_at) WHERE recon_due_at IS NOT NULL;

ALTER TABLE payment_events DROP CONSTRAINT payment_events_source_check;
ALTER TABLE payment_events ADD CONSTRAINT payment_events_source_check
    CHECK (source IN ('buyer', 'return', 'callback', 'status_query', 'expiry', 'refund', 'reconciliation', 'staff'));

-- A disagreement with the gateway the worker could not settle alone. At most one open per
-- payment, so a mismatch seen on every run is still one exception.
CREATE TABLE reconciliation_exceptions (
    id             uuid PRIMARY KEY,
    payment_id     uuid NOT NULL REFERENCES payments (id),
    merchant_id    uuid NOT NULL REFERENCES merchants (id),
    mode           payment_mode NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('mismatch', 'unresolved')),
    -- Plain descriptions of both sides, e.g. "paid 25.00, refunded 0.00" / "voided".
    platform_state text NOT NULL CHECK (length(platform_state) <= 300),
    gateway_state  text NOT NULL CHECK (length(gateway_state) <= 300),
    -- What accepting the gateway's state would set, when the gateway's answer was definite.
    gateway_status payment_status,
    gateway_refunded_minor bigint CHECK (gateway_refunded_minor >= 0),
    created_at     timestamptz NOT NULL DEFAULT now(),
    resolved_at    timestamptz,
    resolved_by    uuid REFERENCES users (id),
    resolution     text CHECK (resolution IN ('accepted_gateway', 'resolved')),
    note           text CHECK (length(note) <= 1000),
    CHECK ((resolved_at IS NULL) = (resolution IS NULL))
);
CREATE UNIQUE INDEX reconciliation_exceptions_one_open ON reconciliation_exceptions (payment_id) WHERE resolved_at IS NULL;
CREATE INDEX reconciliation_exceptions_by_time ON reconciliation_exceptions (created_at DESC);

-- Risk ------------------------------------------------------------------------------------

CREATE TYPE risk_action AS ENUM ('allow', 'review', 'block');

-- The rules' thresholds, edited in the admin console's Risk module. `limit_value` is a count
-- of attempts, a percentage or an amount in minor units, as `rule` says.
CREATE TABLE risk_rules (
    rule           text PRIMARY KEY CHECK (rule IN ('ip_velocity', 'email_velocity', 'session_velocity',
                                                    'ip_decline_ratio', 'max_amount')),
    limit_value    bigint NOT NULL CHECK (limit_value > 0),
    window_minutes integer NOT NULL CHECK (window_minutes BETWEEN 1 AND 10080),
    -- For the decline ratio: attempts needed before the ratio counts.
    min_attempts   integer NOT NULL DEFAULT 1 CHECK (min_attempts >= 1),
    action         risk_action NOT NULL CHECK (action <> 'allow'),
    enabled        boolean NOT NULL DEFAULT true,
    updated_by     uuid REFERENCES users (id),
    updated_at     timestamptz NOT NULL DEFAULT now()
);
INSERT INTO risk_rules (rule, limit_value, window_minutes, min_attempts, action) VALUES
    ('ip_velocity', 30, 60, 1, 'block'),
    ('email_velocity', 10, 60, 1, 'review'),
    ('session_velocity', 8, 1440, 1, 'block'),
    ('ip_decline_ratio', 60, 60, 5, 'block'),
    -- 5,000.00 in the payment's currency, unless the merchant has its own limit.
    ('max_amount', 500000, 1, 1, 'block');

-- A merchant's own ceiling for one payment, set by risk staff.
ALTER TABLE merchants ADD COLUMN max_payment_minor bigint CHECK (max_payment_minor > 0);

CREATE TABLE risk_blocklist (
    id         uuid PRIMARY KEY,
    kind       text NOT NULL CHECK (kind IN ('email', 'ip', 'network')),
    -- A lower-cased email address, or an address or network in CIDR form.
    value      text NOT NULL CHECK (length(value) BETWEEN 1 AND 254),
    network    cidr,
    note       text CHECK (length(note) <= 500),
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, value),
    CHECK ((kind = 'email') = (network IS NULL))
);

-- Every decision taken when a buyer pressed Pay, with its reasons. Velocity and decline
-- ratios are counted from these rows.
CREATE TABLE risk_decisions (
    id          uuid PRIMARY KEY,
    merchant_id uuid NOT NULL REFERENCES merchants (id),
    mode        payment_mode NOT NULL,
    session_id  uuid NOT NULL REFERENCES checkout_sessions (id),
    -- The attempt it let through; NULL when blocked.
    payment_id  uuid UNIQUE REFERENCES payments (id),
    ip          inet,
    buyer_email text NOT NULL CHECK (length(buyer_email) BETWEEN 3 AND 254),
    amount_minor minor_amount NOT NULL,
    currency    currency_code NOT NULL,
    action      risk_action NOT NULL,
    reasons     text[] NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((action = 'block') = (payment_id IS NULL))
);
CREATE INDEX risk_decisions_by_ip ON risk_decisions (ip, created_at);
CREATE INDEX risk_decisions_by_email ON risk_decisions (buyer_email, created_at);
CREATE INDEX risk_decisions_by_session ON risk_decisions (session_id, created_at);
CREATE INDEX risk_decisions_by_time ON risk_decisions (created_at DESC);

GRANT SELECT, INSERT, UPDATE ON refunds, reconciliation_exceptions, risk_rules TO saleonix_app;
GRANT SELECT, INSERT, DELETE ON risk_blocklist TO saleonix_app;
GRANT SELECT, INSERT ON risk_decisions TO saleonix_app;
