-- A subscription whose series id never arrived (issue 22): its first payment was confirmed
-- only by the order status query, which does not carry `EXTRA.RECURRINGID`, after both the
-- buyer's return and the gateway's callback were lost. The gateway charges the series, but
-- the platform cannot follow or cancel it, so staff get a reconciliation exception and
-- attach the id (read from Payten's merchant portal) once the gateway confirms that the
-- series began with that payment's order.
ALTER TABLE reconciliation_exceptions DROP CONSTRAINT reconciliation_exceptions_kind_check;
ALTER TABLE reconciliation_exceptions ADD CONSTRAINT reconciliation_exceptions_kind_check
    CHECK (kind IN ('mismatch', 'unresolved', 'duplicate', 'late_capture', 'ledger_balance', 'series_unknown'));

-- The worker's look for such subscriptions reads only these rows.
CREATE INDEX subscriptions_series_unknown ON subscriptions (created_at)
    WHERE recurring_id IS NULL AND status IN ('active', 'past_due');
