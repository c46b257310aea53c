-- An erasure (platform/src/privacy/requests/erasure.rs) rewrites two tables the application
-- otherwise only appends to: a fraud check loses the buyer's email address and IP address,
-- and a stored webhook event loses the address inside its data. Without these grants the
-- erasure fails as `saleonix_app`, the role production connects as (the erasure tests ran
-- as the database owner and did not show it). Only those columns: the decision itself and
-- the event's other fields stay append-only.
GRANT UPDATE (buyer_email, ip) ON risk_decisions TO saleonix_app;
GRANT UPDATE (data) ON events TO saleonix_app;
