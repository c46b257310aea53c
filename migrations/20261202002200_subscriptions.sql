-- Subscriptions on the gateway's recurring series (issue 22). The gateway holds the card
-- and charges each installment itself; the platform keeps the plan, the buyer's consent,
-- the series id the gateway returned and one payment per installment, found by polling
-- the series. Nothing here can hold a card number or a card token.

CREATE TYPE plan_interval AS ENUM ('day', 'week', 'month', 'year');

-- A recurring price: an amount every `interval_count` `interval`s, `installments` times in
-- all (the gateway's series holds 2 to 121 payments). The first is charged at sign-up.
CREATE TABLE subscription_plans (
    id             uuid PRIMARY KEY,
    merchant_id    uuid NOT NULL REFERENCES merchants (id),
    mode           payment_mode NOT NULL,
    product_id     uuid,
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    amount_minor   minor_amount NOT NULL,
    currency       currency_code NOT NULL,
    interval       plan_interval NOT NULL,
    interval_count smallint NOT NULL CHECK (interval_count BETWEEN 1 AND 999),
    installments   smallint NOT NULL CHECK (installments BETWEEN 2 AND 121),
    archived_at    timestamptz,
    created_by     uuid REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (id, merchant_id, mode),
    FOREIGN KEY (product_id, merchant_id, mode) REFERENCES products (id, merchant_id, mode)
);
CREATE INDEX subscription_plans_by_merchant ON subscription_plans (merchant_id, mode, created_at DESC);

-- A checkout that signs the buyer up for a plan (its one line is the plan's first payment).
ALTER TABLE checkout_sessions
    ADD COLUMN plan_id uuid,
    ADD CONSTRAINT checkout_sessions_plan FOREIGN KEY (plan_id, merchant_id, mode)
        REFERENCES subscription_plans (id, merchant_id, mode);

-- The words the buyer agreed to when pressing Pay on a plan's checkout, and when: one row
-- per attempt sent to the gateway with recurring fields.
CREATE TABLE subscription_consents (
    payment_id   uuid PRIMARY KEY REFERENCES payments (id),
    text         text NOT NULL CHECK (length(text) BETWEEN 1 AND 2000),
    consented_at timestamptz NOT NULL DEFAULT now()
);

CREATE TYPE subscription_status AS ENUM ('active', 'past_due', 'cancelled', 'ended');

-- One buyer's series, made when its first payment is confirmed paid. The terms are copied
-- from the plan at that moment: they are what the buyer agreed to. The buyer's address is
-- the first payment's (one place to erase it).
CREATE TABLE subscriptions (
    id                uuid PRIMARY KEY,
    merchant_id       uuid NOT NULL REFERENCES merchants (id),
    mode              payment_mode NOT NULL,
    plan_id           uuid NOT NULL,
    first_payment_id  uuid NOT NULL UNIQUE REFERENCES payments (id),
    amount_minor      minor_amount NOT NULL,
    currency          currency_code NOT NULL,
    interval          plan_interval NOT NULL,
    interval_count    smallint NOT NULL CHECK (interval_count BETWEEN 1 AND 999),
    installments      smallint NOT NULL CHECK (installments BETWEEN 2 AND 121),
    -- `EXTRA.RECURRINGID` of the first verified gateway answer.
    recurring_id      text CHECK (recurring_id ~ '^[A-Za-z0-9_-]{1,64}$'),
    status            subscription_status NOT NULL DEFAULT 'active',
    paid_installments smallint NOT NULL DEFAULT 1 CHECK (paid_installments BETWEEN 1 AND installments),
    -- The gateway's planned date of the next installment; null when none is left.
    next_charge_at    timestamptz,
    -- When the poller next asks the gateway about the series; null when nothing is left to follow.
    poll_due_at       timestamptz,
    poll_attempts     integer NOT NULL DEFAULT 0,
    -- A cancel sent whose answer was lost: the worker settles it from the series' status,
    -- sending the cancel again while the series still plans installments.
    cancel_requested_at timestamptz,
    cancelled_at      timestamptz,
    ended_at          timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
    CHECK ((status = 'ended') = (ended_at IS NOT NULL)),
    UNIQUE (id, merchant_id, mode),
    FOREIGN KEY (plan_id, merchant_id, mode) REFERENCES subscription_plans (id, merchant_id, mode)
);
CREATE INDEX subscriptions_by_merchant ON subscriptions (merchant_id, mode, created_at DESC);
CREATE INDEX subscriptions_poll_due ON subscriptions (poll_due_at) WHERE poll_due_at IS NOT NULL;

-- An installment is a payment of its own (with its own checkout, receipt and books); its
-- gateway order id is `<first order id>-<n>` from the series.
ALTER TABLE payments
    ADD COLUMN subscription_id uuid,
    ADD COLUMN installment smallint CHECK (installment BETWEEN 1 AND 121),
    ADD CONSTRAINT payments_installment CHECK ((subscription_id IS NULL) = (installment IS NULL)),
    ADD CONSTRAINT payments_subscription FOREIGN KEY (subscription_id, merchant_id, mode)
        REFERENCES subscriptions (id, merchant_id, mode);
CREATE UNIQUE INDEX payments_one_per_installment ON payments (subscription_id, installment)
    WHERE subscription_id IS NOT NULL;

GRANT SELECT, INSERT, UPDATE ON subscription_plans, subscriptions TO saleonix_app;
GRANT SELECT, INSERT ON subscription_consents TO saleonix_app;
