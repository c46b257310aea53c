-- The answer to an access request: an archive of what the platform holds about the
-- address, encrypted per field (AES-256-GCM, bound to its row), handed over once through a
-- link mailed to the requester, and erased when downloaded or when the link expires.
CREATE TABLE privacy_exports (
    request_id    uuid PRIMARY KEY REFERENCES privacy_requests (id) ON DELETE CASCADE,
    archive_enc   bytea,
    token_hash    bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    expires_at    timestamptz NOT NULL,
    created_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    downloaded_at timestamptz,
    CONSTRAINT privacy_exports_erased_once_downloaded
        CHECK (downloaded_at IS NULL OR archive_enc IS NULL)
);

GRANT SELECT, INSERT, UPDATE, DELETE ON privacy_exports TO saleonix_app;
