-- The merchant's application (issue 19, slice A): which identity document each person
-- holds, since an ID card has two sides to upload and a passport one. The checklist's
-- identity item is complete when every current person has the sides their document has.
ALTER TABLE kyc_people
    ADD COLUMN identity_document text NOT NULL DEFAULT 'id_card'
        CHECK (identity_document IN ('id_card', 'passport'));
COMMENT ON COLUMN kyc_people.identity_document IS 'personal: kind of identity document (id_card or passport)';

-- Finding a person's current identity documents, and a kind's current document, is what
-- every upload and the checklist ask.
CREATE INDEX kyc_documents_current_by_person ON kyc_documents (person_id, kind) WHERE replaced_at IS NULL;
