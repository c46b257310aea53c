-- A subscription ended for unpaid installments has an end time, as one that ran its
-- course (apart from the previous migration: a new enum value is usable only once
-- committed).
ALTER TABLE subscriptions
    DROP CONSTRAINT subscriptions_check2,
    ADD CONSTRAINT subscriptions_ended CHECK ((status IN ('ended', 'unpaid')) = (ended_at IS NOT NULL));
