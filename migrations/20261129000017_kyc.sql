-- Seller onboarding (KYC): a merchant's application, its checklist, the people behind the
-- business, their documents and the bank account payouts go to. Live Mode opens only when
-- staff approve the application: `merchants.verified_at` becomes the outcome of that review
-- (written by `platform::kyc` alone), no longer a flag staff switch by hand.
--
-- Personal data is marked with a column comment starting `personal:`; it is kept as long as
-- AML record keeping requires (five years after the relationship ends) and is what the
-- data-subject tooling will find. Sensitive values (personal numbers, IBANs, document files)
-- are encrypted per field with AES-256-GCM, the associated data bound to table, column and row.

CREATE TYPE kyc_status AS ENUM ('draft', 'submitted', 'changes_requested', 'approved', 'rejected');
CREATE TYPE kyc_item AS ENUM ('business', 'people', 'registration_certificate', 'identity_documents', 'bank_proof', 'bank_account');
CREATE TYPE kyc_item_state AS ENUM ('missing', 'submitted', 'accepted', 'changes_requested');
CREATE TYPE kyc_legal_form AS ENUM ('individual', 'general_partnership', 'limited_partnership', 'llc', 'joint_stock', 'foreign_branch', 'ngo');
CREATE TYPE kyc_document_kind AS ENUM ('registration_certificate', 'identity_front', 'identity_back', 'bank_proof');

CREATE TABLE kyc_applications (
    merchant_id           uuid PRIMARY KEY REFERENCES merchants (id),
    status                kyc_status NOT NULL DEFAULT 'draft',
    legal_form            kyc_legal_form,
    registered_name       text CHECK (length(registered_name) BETWEEN 1 AND 200),
    trading_name          text CHECK (length(trading_name) BETWEEN 1 AND 200),
    -- ARBK unique identification number (NUI): nine digits.
    registration_number   text CHECK (registration_number ~ '^[0-9]{9}$'),
    fiscal_number         text CHECK (fiscal_number ~ '^[0-9]{9}$'),
    vat_number            text CHECK (vat_number ~ '^[0-9]{9}$'),
    address_line          text CHECK (length(address_line) BETWEEN 1 AND 200),
    city                  text CHECK (length(city) BETWEEN 1 AND 100),
    postal_code           text CHECK (postal_code ~ '^[0-9]{5}$'),
    website               text CHECK (length(website) BETWEEN 1 AND 300),
    -- A slug from `platform::kyc::CATEGORIES`.
    category              text CHECK (length(category) BETWEEN 1 AND 50),
    -- Euro cents, as every amount: integer minor units of EUR.
    monthly_volume_minor  bigint CHECK (monthly_volume_minor > 0),
    average_ticket_minor  bigint CHECK (average_ticket_minor > 0),
    -- Someone among the people is a politically exposed person (asked once for all).
    pep_declared          boolean,
    pep_details           text CHECK (length(pep_details) <= 1000),
    submitted_at          timestamptz,
    -- The last decision on the whole application.
    decided_at            timestamptz,
    decided_by            uuid REFERENCES users (id),
    rejection_reason      text CHECK (length(rejection_reason) BETWEEN 1 AND 1000),
    -- Staff asked a verified merchant to update an item by this time; past it without a
    -- new submission, Live Mode closes (`restricted_at`) until staff approve again.
    reverification_due_at timestamptz,
    restricted_at         timestamptz,
    -- Four eyes: who last asked for changes on any item may not approve.
    changes_requested_by  uuid REFERENCES users (id),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    created_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX kyc_applications_queue ON kyc_applications (submitted_at) WHERE status = 'submitted';
COMMENT ON COLUMN kyc_applications.pep_details IS 'personal: politically exposed person details';
COMMENT ON COLUMN kyc_applications.address_line IS 'personal: for an individual business, the representative''s address';

-- One row per checklist item and merchant, created with the application; `reason` is what
-- staff asked the merchant to change, in plain words, shown on the checklist.
CREATE TABLE kyc_items (
    merchant_id uuid NOT NULL REFERENCES kyc_applications (merchant_id),
    item        kyc_item NOT NULL,
    state       kyc_item_state NOT NULL DEFAULT 'missing',
    reason      text CHECK (length(reason) BETWEEN 1 AND 1000),
    -- Who last reviewed the item; four eyes compares the approver with the last person
    -- who asked for changes on any item.
    reviewed_by uuid REFERENCES users (id),
    reviewed_at timestamptz,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (merchant_id, item),
    CHECK ((state = 'changes_requested') = (reason IS NOT NULL))
);

-- The legal representative and every beneficial owner holding 25 % or more.
CREATE TABLE kyc_people (
    id                   uuid PRIMARY KEY,
    merchant_id          uuid NOT NULL REFERENCES kyc_applications (merchant_id),
    is_representative    boolean NOT NULL,
    -- Whole percent; NULL for a representative who owns nothing.
    ownership_percent    smallint CHECK (ownership_percent BETWEEN 25 AND 100),
    full_name            text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    date_of_birth        date NOT NULL,
    -- ISO 3166-1 alpha-2; XK for Kosovo.
    nationality          char(2) NOT NULL CHECK (nationality ~ '^[A-Z]{2}$'),
    -- The Kosovo personal number (10 digits) or, for other nationalities, the passport
    -- number: AES-256-GCM (field_crypto, slot kyc_people.personal_number_enc.<id>).
    personal_number_enc  bytea NOT NULL,
    address              text NOT NULL CHECK (length(address) BETWEEN 1 AND 300),
    is_pep               boolean NOT NULL DEFAULT false,
    created_at           timestamptz NOT NULL DEFAULT now(),
    -- A person taken off the application is kept with their documents (AML evidence).
    removed_at           timestamptz,
    CHECK (is_representative OR ownership_percent IS NOT NULL)
);
CREATE INDEX kyc_people_by_merchant ON kyc_people (merchant_id);
CREATE UNIQUE INDEX kyc_people_one_representative ON kyc_people (merchant_id) WHERE is_representative AND removed_at IS NULL;
COMMENT ON COLUMN kyc_people.full_name IS 'personal: name';
COMMENT ON COLUMN kyc_people.date_of_birth IS 'personal: date of birth';
COMMENT ON COLUMN kyc_people.nationality IS 'personal: nationality';
COMMENT ON COLUMN kyc_people.personal_number_enc IS 'personal: personal or passport number, encrypted';
COMMENT ON COLUMN kyc_people.address IS 'personal: home address';
COMMENT ON COLUMN kyc_people.is_pep IS 'personal: politically exposed person';

-- Uploaded evidence. The file is sniffed by its content (PDF, JPEG, PNG), at most 10 MB,
-- and stored encrypted (slot kyc_documents.content_enc.<merchant id>/<document id>); it is
-- never served from a public path. A replaced document is kept (AML evidence) but no longer
-- current.
CREATE TABLE kyc_documents (
    id           uuid PRIMARY KEY,
    merchant_id  uuid NOT NULL REFERENCES kyc_applications (merchant_id),
    kind         kyc_document_kind NOT NULL,
    -- Identity documents belong to a person of the application.
    person_id    uuid REFERENCES kyc_people (id),
    content_type text NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size_bytes   integer NOT NULL CHECK (size_bytes BETWEEN 1 AND 10485760),
    content_enc  bytea NOT NULL,
    uploaded_by  uuid NOT NULL REFERENCES users (id),
    uploaded_at  timestamptz NOT NULL DEFAULT now(),
    replaced_at  timestamptz,
    CHECK ((kind IN ('identity_front', 'identity_back')) = (person_id IS NOT NULL))
);
CREATE INDEX kyc_documents_current ON kyc_documents (merchant_id, kind) WHERE replaced_at IS NULL;
COMMENT ON COLUMN kyc_documents.content_enc IS 'personal: identity documents and bank letters, encrypted';

-- The account payouts go to. One current account per merchant; a replaced one is kept
-- with its retirement time. Payouts to an account start at `payouts_from`: at once for
-- the first account, 72 hours after a change.
CREATE TABLE bank_accounts (
    id           uuid PRIMARY KEY,
    merchant_id  uuid NOT NULL REFERENCES merchants (id),
    holder_name  text NOT NULL CHECK (length(holder_name) BETWEEN 1 AND 200),
    -- AES-256-GCM (field_crypto, slot bank_accounts.iban_enc.<id>); never logged.
    iban_enc     bytea NOT NULL,
    -- What every screen shows after entry: `XK05 **** **** **** 1234`.
    iban_masked  text NOT NULL CHECK (iban_masked ~ '^[A-Z]{2}[0-9]{2}( \*{4})+ [0-9A-Z]{4}$'),
    created_by   uuid NOT NULL REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    payouts_from timestamptz NOT NULL,
    retired_at   timestamptz
);
CREATE UNIQUE INDEX bank_accounts_one_current ON bank_accounts (merchant_id) WHERE retired_at IS NULL;
COMMENT ON COLUMN bank_accounts.holder_name IS 'personal: for an individual business, the representative''s name';
COMMENT ON COLUMN bank_accounts.iban_enc IS 'personal: IBAN, encrypted';

-- Merchants verified by hand before KYC keep Live Mode: their application is approved,
-- with every item accepted, so nothing they had is taken away.
INSERT INTO kyc_applications (merchant_id, status, submitted_at, decided_at)
SELECT id, 'approved', verified_at, verified_at FROM merchants WHERE verified_at IS NOT NULL;
INSERT INTO kyc_items (merchant_id, item, state, reviewed_at)
SELECT a.merchant_id, i.item, 'accepted', a.decided_at
FROM kyc_applications a CROSS JOIN unnest(enum_range(NULL::kyc_item)) AS i (item);

-- Nothing here is ever deleted by the application: replaced rows are kept as evidence.
GRANT SELECT, INSERT, UPDATE ON kyc_applications, kyc_items, kyc_people, kyc_documents, bank_accounts TO saleonix_app;
