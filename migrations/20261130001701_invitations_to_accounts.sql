-- A team invitation to an address that already had a Saleonix account when it was sent.
-- An account belongs to one merchant (merchant_members_one_account) or to the staff, so it
-- can never be accepted; the address is mailed a notice that says so. The row exists so the
-- inviter's team list shows it like any pending invitation: what the inviter sees must not
-- tell an address with an account from one without.
CREATE TABLE invitations_to_accounts (
    id          uuid PRIMARY KEY,
    merchant_id uuid NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    email       text NOT NULL,
    full_name   text NOT NULL,
    role        merchant_role NOT NULL CHECK (role <> 'owner'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (merchant_id, email)
);

GRANT SELECT, INSERT, UPDATE, DELETE ON invitations_to_accounts TO saleonix_app;
