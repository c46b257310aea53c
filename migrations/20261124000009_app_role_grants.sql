-- What the application's role (`saleonix_app`, created with the audit trail) may do with
-- the application's tables: exactly what the code does, and nothing to the schema. Every
-- migration that adds a table grants on it here-alike; a test fails for a public table
-- without a grant to saleonix_app.

GRANT SELECT, INSERT, UPDATE, DELETE ON
    users, merchants, merchant_members, products, account_tokens, sessions, user_mfa,
    mfa_recovery_codes, staff_permissions, mail_outbox, rate_limit_hits
TO saleonix_app;

-- Contact requests are written and read, never changed.
GRANT SELECT, INSERT ON contact_requests TO saleonix_app;
-- Gateway accounts are configuration: the server reads them; operators write them.
GRANT SELECT ON gateway_accounts TO saleonix_app;
-- The server checks at start that the schema is current.
GRANT SELECT ON _sqlx_migrations TO saleonix_app;
