-- Dunning (issue 22): what follows a declined installment. The declined installment's
-- checkout stays open until a deadline, for the buyer to pay the missed amount as a one-off
-- payment (the link is mailed to them); paid, the subscription is active again. After the
-- merchant's number of unpaid declines, or past the deadline, the platform cancels the
-- series and the subscription ends `unpaid`.

ALTER TYPE subscription_status ADD VALUE 'unpaid';

-- A merchant's dunning schedule. No row: 3 unpaid declines, 14 days to pay each.
CREATE TABLE dunning_schedules (
    merchant_id  uuid PRIMARY KEY REFERENCES merchants (id),
    max_declines smallint NOT NULL CHECK (max_declines BETWEEN 1 AND 10),
    grace_days   smallint NOT NULL CHECK (grace_days BETWEEN 1 AND 60),
    updated_by   uuid REFERENCES users (id),
    updated_at   timestamptz NOT NULL DEFAULT now()
);

-- The checkout of an installment names its subscription. Only such a checkout may stay
-- open beyond a day: a declined installment's, until its dunning deadline (at most 60
-- days, which the code holds).
ALTER TABLE checkout_sessions
    ADD COLUMN subscription_id uuid,
    ADD CONSTRAINT checkout_sessions_installment FOREIGN KEY (subscription_id, merchant_id, mode)
        REFERENCES subscriptions (id, merchant_id, mode),
    DROP CONSTRAINT checkout_sessions_check,
    ADD CONSTRAINT checkout_sessions_expiry CHECK (
        expires_at >= created_at + interval '30 minutes'
        AND (expires_at <= created_at + interval '24 hours' OR subscription_id IS NOT NULL));
CREATE INDEX checkout_sessions_by_subscription ON checkout_sessions (subscription_id)
    WHERE subscription_id IS NOT NULL;

-- The platform's own cancel for unpaid declines whose answer was lost: settled, the
-- subscription ends `unpaid`, not `cancelled`.
ALTER TABLE subscriptions ADD COLUMN cancel_for_unpaid boolean NOT NULL DEFAULT false;

GRANT SELECT, INSERT, UPDATE ON dunning_schedules TO saleonix_app;
