-- People named in a merchant's verification (KYC: the representative and the beneficial
-- owners) are on file without an email address, so no request finds them by its address.
-- Support staff link them to an access or erasure request by hand, once the full name and
-- date of birth they were given match the record; the export then carries the record and
-- the erasure says it is kept.
--
-- Only access and erasure requests name people this way: the request's kind travels with
-- the link and a foreign key on (id, kind) holds it to the request's, so no code path can
-- link a person to a correction or restriction.
ALTER TABLE privacy_requests ADD CONSTRAINT privacy_requests_id_kind UNIQUE (id, kind);

CREATE TABLE privacy_request_kyc_people (
    request_id    uuid NOT NULL,
    request_kind  privacy_request_kind NOT NULL
        CONSTRAINT privacy_request_kyc_people_access_or_erasure CHECK (request_kind IN ('access', 'erasure')),
    kyc_person_id uuid NOT NULL REFERENCES kyc_people (id),
    linked_by     uuid REFERENCES users (id) ON DELETE SET NULL,
    linked_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (request_id, kyc_person_id),
    -- The retention sweep deletes old requests; their links go with them (the KYC record
    -- itself stays, as AML evidence).
    FOREIGN KEY (request_id, request_kind) REFERENCES privacy_requests (id, kind) ON DELETE CASCADE
);
CREATE INDEX privacy_request_kyc_people_by_person ON privacy_request_kyc_people (kyc_person_id);

-- DELETE: staff take back a link made by mistake, before the request is answered.
GRANT SELECT, INSERT, DELETE ON privacy_request_kyc_people TO saleonix_app;
