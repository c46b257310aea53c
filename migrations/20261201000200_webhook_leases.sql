-- Webhook deliveries are leased, not locked, while they are sent (platform::webhooks::delivery):
-- a worker claims due rows with FOR UPDATE SKIP LOCKED in a short transaction that sets
-- its lease, commits, sends with no transaction open, and records each outcome only while
-- the lease is still its own. A lease that ran out (a crashed instance) makes the delivery
-- claimable again.
ALTER TABLE webhook_deliveries
    ADD COLUMN lease_owner  uuid,
    ADD COLUMN leased_until timestamptz,
    ADD CONSTRAINT webhook_deliveries_lease_whole
        CHECK ((lease_owner IS NULL) = (leased_until IS NULL));
