-- Every console refund sums what the same staff member refunded in the last 24 hours, to
-- decide whether it needs a fresh step-up (platform::payments::refunds::
-- refunded_by_staff_last_day); this keeps that a short index range, not a table scan.
CREATE INDEX refunds_by_console_requester ON refunds (requested_by, created_at)
    WHERE requested_via = 'console';
