-- Platform administrators set each mode's gateway account in the console's Settings
-- module. The secrets are write-only there: the page shows only when each was set and by
-- whom, so those are kept per secret. A NULL "by" is a write from outside the console (the
-- development seed, an operator's tool); rows from before this migration take their last
-- update as the date.
ALTER TABLE gateway_accounts
    ADD COLUMN store_key_set_at    timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN store_key_set_by    uuid REFERENCES users (id),
    ADD COLUMN api_password_set_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN api_password_set_by uuid REFERENCES users (id),
    ADD COLUMN updated_by          uuid REFERENCES users (id);
UPDATE gateway_accounts SET store_key_set_at = updated_at, api_password_set_at = updated_at;

-- A NestPay client id is the merchant number the bank issues: digits only.
ALTER TABLE gateway_accounts ADD CONSTRAINT gateway_accounts_client_id_digits CHECK (client_id ~ '^[0-9]{5,15}$');

-- The server now writes the accounts (the Settings module), column by column: it may
-- create a mode's row and change its values, never move a row to the other mode, and never
-- delete one. A payment's foreign key on (mode, client_id) keeps the client id of an
-- account that payments were made with from changing at all.
GRANT INSERT (mode, gate_url, api_url, client_id, api_user, store_key_enc, api_password_enc, updated_at,
              store_key_set_at, store_key_set_by, api_password_set_at, api_password_set_by, updated_by),
      UPDATE (gate_url, api_url, client_id, api_user, store_key_enc, api_password_enc, updated_at,
              store_key_set_at, store_key_set_by, api_password_set_at, api_password_set_by, updated_by)
ON gateway_accounts TO saleonix_app;
