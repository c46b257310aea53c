-- "Until cancelled" plans (issue 22). The gateway's series holds at most 121 payments, so
-- such a plan signs the buyer up for a series of 121; when it has charged them all, the
-- platform mails the buyer a renewal checkout for the same terms. Paying it, with the
-- consent box ticked again, starts the next series as a new subscription that names the
-- one it renews. Nothing is charged without that fresh consent.
ALTER TABLE subscription_plans
    ADD COLUMN until_cancelled boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT subscription_plans_until_cancelled CHECK (NOT until_cancelled OR installments = 121);

ALTER TABLE subscriptions
    ADD COLUMN until_cancelled boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT subscriptions_until_cancelled CHECK (NOT until_cancelled OR installments = 121),
    -- The subscription whose series this one's continues; one renewal each.
    ADD COLUMN renews uuid UNIQUE,
    ADD CONSTRAINT subscriptions_renews FOREIGN KEY (renews, merchant_id, mode)
        REFERENCES subscriptions (id, merchant_id, mode),
    ADD CONSTRAINT subscriptions_renews_other CHECK (renews <> id);

-- The renewal checkout mailed to the buyer; it stays open until the next payment would
-- have fallen due (at least a week). Its `plan_id` is the renewed subscription's plan.
ALTER TABLE checkout_sessions
    ADD COLUMN renews_id uuid UNIQUE,
    ADD CONSTRAINT checkout_sessions_renewal FOREIGN KEY (renews_id, merchant_id, mode)
        REFERENCES subscriptions (id, merchant_id, mode),
    ADD CONSTRAINT checkout_sessions_renewal_plan CHECK (renews_id IS NULL OR plan_id IS NOT NULL),
    DROP CONSTRAINT checkout_sessions_expiry,
    ADD CONSTRAINT checkout_sessions_expiry CHECK (
        expires_at >= created_at + interval '30 minutes'
        AND (expires_at <= created_at + interval '24 hours' OR subscription_id IS NOT NULL
             OR renews_id IS NOT NULL));

-- Dunning schedules per mode, as everything else a merchant sets for their payments: a
-- Test Mode key or experiment must not change how Live subscriptions end. Each existing
-- schedule applies to both modes, as it did.
ALTER TABLE dunning_schedules
    ADD COLUMN mode payment_mode,
    DROP CONSTRAINT dunning_schedules_pkey;
INSERT INTO dunning_schedules (merchant_id, mode, max_declines, grace_days, updated_by, updated_at)
    SELECT merchant_id, 'live', max_declines, grace_days, updated_by, updated_at FROM dunning_schedules;
UPDATE dunning_schedules SET mode = 'test' WHERE mode IS NULL;
ALTER TABLE dunning_schedules
    ALTER COLUMN mode SET NOT NULL,
    ADD PRIMARY KEY (merchant_id, mode);
