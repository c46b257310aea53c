-- Every capture ends somewhere a person can act on: a second charge for a checkout that is
-- already paid (or past its link's limit, or after it closed) is a `duplicate` payment the
-- platform returns on its own; a payment link counts its paid checkouts under a CHECK; and
-- a refund the platform asked for itself waits in the refunds table until it is sent.

-- Money taken that the order does not keep: being returned, or returned once refunded_minor
-- reaches the amount. It is never one of the session's paid payments (the partial unique
-- index `payments_one_paid_per_session` leaves it out), so a checkout stays paid once.
-- (A value added here cannot be named as an enum literal in this transaction, hence the
-- comparisons as text below.)
ALTER TYPE payment_status ADD VALUE 'duplicate';

-- paid_at is when the money was taken, for a duplicate too.
ALTER TABLE payments DROP CONSTRAINT payments_check1;
ALTER TABLE payments ADD CONSTRAINT payments_paid_at_when_taken
    CHECK ((status::text IN ('paid', 'refunded', 'partially_refunded', 'duplicate')) = (paid_at IS NOT NULL));

-- A link sells at most max_payments: the counter moves, under the link's row lock, in the
-- transaction that makes a payment paid, and the CHECK holds it to the limit whatever the
-- code above does.
ALTER TABLE payment_links ADD COLUMN paid_count integer NOT NULL DEFAULT 0 CHECK (paid_count >= 0);
UPDATE payment_links l SET paid_count = (SELECT count(*) FROM checkout_sessions s WHERE s.link_id = l.id AND s.status = 'paid');
ALTER TABLE payment_links ADD CONSTRAINT payment_links_within_max CHECK (max_payments IS NULL OR paid_count <= max_payments);

-- Refunds the platform makes on its own (a duplicate charge) have no person behind them.
-- Such a refund is recorded with the duplicate, in its transaction, and sent afterwards:
-- sent_at stays NULL until a sender claims it, so a crash in between leaves a refund that
-- the reconciliation worker sends, never one the order history would wrongly call failed.
ALTER TABLE refunds DROP CONSTRAINT refunds_requested_via_check;
ALTER TABLE refunds ADD CONSTRAINT refunds_requested_via_check CHECK (requested_via IN ('dashboard', 'console', 'platform'));
ALTER TABLE refunds ADD CONSTRAINT refunds_platform_has_no_requester CHECK (requested_via <> 'platform' OR requested_by IS NULL);
ALTER TABLE refunds ADD COLUMN sent_at timestamptz;
UPDATE refunds SET sent_at = created_at;
ALTER TABLE refunds ALTER COLUMN sent_at SET DEFAULT now();
ALTER TABLE refunds ADD CONSTRAINT refunds_answered_were_sent CHECK (sent_at IS NOT NULL OR status = 'pending');
CREATE INDEX refunds_unsent ON refunds (created_at) WHERE sent_at IS NULL;

-- A duplicate charge and a capture after a decline or expiry are exceptions staff see; a
-- duplicate's closes by itself ('returned') once its refund succeeded.
ALTER TABLE reconciliation_exceptions DROP CONSTRAINT reconciliation_exceptions_kind_check;
ALTER TABLE reconciliation_exceptions ADD CONSTRAINT reconciliation_exceptions_kind_check
    CHECK (kind IN ('mismatch', 'unresolved', 'duplicate', 'late_capture'));
ALTER TABLE reconciliation_exceptions DROP CONSTRAINT reconciliation_exceptions_resolution_check;
ALTER TABLE reconciliation_exceptions ADD CONSTRAINT reconciliation_exceptions_resolution_check
    CHECK (resolution IN ('accepted_gateway', 'resolved', 'returned'));
