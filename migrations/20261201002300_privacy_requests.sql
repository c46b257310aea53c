-- Data-subject requests (GDPR Articles 15-18, Law No. 06/L-082): access, correction,
-- erasure, restriction. A request counts only once its sender proves control of the address
-- by the emailed link; the statutory month runs from then.
CREATE TYPE privacy_request_kind AS ENUM ('access', 'correction', 'erasure', 'restriction');
CREATE TYPE privacy_request_status AS ENUM ('unverified', 'open', 'fulfilled', 'rejected');

CREATE TABLE privacy_requests (
    id               uuid PRIMARY KEY,
    email            text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    kind             privacy_request_kind NOT NULL,
    -- What the requester wants corrected or restricted, in their words.
    details          text CHECK (length(details) BETWEEN 1 AND 2000),
    status           privacy_request_status NOT NULL DEFAULT 'unverified',
    -- SHA-256 of the emailed link's secret; the link works once, while unverified.
    token_hash       bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    token_expires_at timestamptz NOT NULL,
    requested_at     timestamptz NOT NULL DEFAULT now(),
    verified_at      timestamptz,
    -- One month from verification; two more once, with a reason told to the requester.
    due_on           date,
    extended_reason  text CHECK (length(extended_reason) BETWEEN 1 AND 1000),
    assigned_to      uuid REFERENCES users (id) ON DELETE SET NULL,
    closed_at        timestamptz,
    closed_by        uuid REFERENCES users (id) ON DELETE SET NULL,
    -- Why it was rejected, or what was done.
    outcome          text CHECK (length(outcome) BETWEEN 1 AND 1000),
    CONSTRAINT privacy_requests_verified_when_past_unverified
        CHECK ((status = 'unverified') = (verified_at IS NULL) AND (verified_at IS NULL) = (due_on IS NULL)),
    CONSTRAINT privacy_requests_closed_with_an_outcome
        CHECK ((status IN ('fulfilled', 'rejected')) = (closed_at IS NOT NULL AND outcome IS NOT NULL))
);
CREATE INDEX privacy_requests_open_by_due ON privacy_requests (due_on) WHERE status = 'open';
CREATE INDEX privacy_requests_by_email ON privacy_requests (email);

GRANT SELECT, INSERT, UPDATE, DELETE ON privacy_requests TO saleonix_app;

-- The retention sweep deletes contact-form messages once their period is over.
GRANT DELETE ON contact_requests TO saleonix_app;
