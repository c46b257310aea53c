-- Cancel at period end (issue 22): the buyer keeps the period paid for. The worker cancels
-- the series at `cancel_at`, a day before the next planned charge; until then the
-- subscription runs and the merchant may keep it after all.
ALTER TABLE subscriptions ADD COLUMN cancel_at timestamptz;
