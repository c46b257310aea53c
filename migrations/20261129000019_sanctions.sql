-- Sanctions screening: the list the platform screens against (loaded from a CSV file,
-- replacing the previous one whole) and the hits screening found on an application, with
-- staff's decision on each. An undecided hit or a true match blocks approval
-- (`platform::kyc::sanctions::open_hits`).

-- Every load; the one without `replaced_at` is in force.
CREATE TABLE sanctions_lists (
    id          uuid PRIMARY KEY,
    -- Where it came from (the file's name), shown in the console with the load time.
    source      text NOT NULL CHECK (length(source) BETWEEN 1 AND 300),
    entry_count integer NOT NULL CHECK (entry_count >= 0),
    loaded_at   timestamptz NOT NULL DEFAULT now(),
    replaced_at timestamptz
);
CREATE UNIQUE INDEX sanctions_lists_one_in_force ON sanctions_lists ((true)) WHERE replaced_at IS NULL;

-- The entries of the list in force only: a load deletes the previous list's entries (hits
-- keep their own copy of what they matched).
CREATE TABLE sanctions_entries (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    list_id       uuid NOT NULL REFERENCES sanctions_lists (id),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    aliases       text[] NOT NULL DEFAULT '{}',
    date_of_birth date,
    -- The regime the entry comes from (EU, UN, ...) and its reference there.
    source_list   text NOT NULL CHECK (length(source_list) BETWEEN 1 AND 100),
    reference     text NOT NULL CHECK (length(reference) BETWEEN 1 AND 100)
);
CREATE INDEX sanctions_entries_by_list ON sanctions_entries (list_id);

CREATE TYPE sanctions_subject AS ENUM ('registered_name', 'trading_name', 'person');
CREATE TYPE sanctions_decision AS ENUM ('false_positive', 'true_match');

-- One row per screened name and list entry it matched, recorded once: screening again
-- (on resubmission) finds the same row and keeps its decision.
CREATE TABLE sanctions_hits (
    id                  uuid PRIMARY KEY,
    merchant_id         uuid NOT NULL REFERENCES kyc_applications (merchant_id),
    subject             sanctions_subject NOT NULL,
    person_id           uuid REFERENCES kyc_people (id),
    -- The name as the application gave it when it was screened.
    subject_name        text NOT NULL CHECK (length(subject_name) BETWEEN 1 AND 200),
    list_id             uuid NOT NULL REFERENCES sanctions_lists (id),
    entry_name          text NOT NULL CHECK (length(entry_name) BETWEEN 1 AND 300),
    matched_name        text NOT NULL CHECK (length(matched_name) BETWEEN 1 AND 300),
    entry_date_of_birth date,
    source_list         text NOT NULL CHECK (length(source_list) BETWEEN 1 AND 100),
    reference           text NOT NULL CHECK (length(reference) BETWEEN 1 AND 100),
    score               smallint NOT NULL CHECK (score BETWEEN 0 AND 100),
    found_at            timestamptz NOT NULL DEFAULT now(),
    decision            sanctions_decision,
    note                text CHECK (length(note) BETWEEN 1 AND 1000),
    decided_by          uuid REFERENCES users (id),
    decided_at          timestamptz,
    CHECK ((decision IS NULL) = (note IS NULL) AND (decision IS NULL) = (decided_by IS NULL)
           AND (decision IS NULL) = (decided_at IS NULL)),
    CHECK ((subject = 'person') = (person_id IS NOT NULL))
);
CREATE UNIQUE INDEX sanctions_hits_once ON sanctions_hits (merchant_id, subject, lower(subject_name), source_list, reference);
COMMENT ON COLUMN sanctions_hits.subject_name IS 'personal: name of a representative or owner, when subject = person';
COMMENT ON COLUMN sanctions_hits.note IS 'personal: staff''s reasoning about a person';

-- Loading replaces the entries (DELETE); lists and hits are kept as evidence.
GRANT SELECT, INSERT, UPDATE ON sanctions_lists, sanctions_hits TO saleonix_app;
GRANT SELECT, INSERT, DELETE ON sanctions_entries TO saleonix_app;
