-- Payouts: what Saleonix owes a merchant leaves for the merchant's bank account. A run
-- creates one payout per due merchant and currency and groups them into a batch; staff
-- approve the batch (four eyes), download its pain.001 credit-transfer file, upload it to
-- the bank and mark it sent; each payout then ends paid or returned, by hand or from the
-- bank statement's CSV. Every step posts one ledger entry (platform::payouts).
--
-- Only Live Mode money is paid out: Test Mode balances are play money and never reach a
-- bank file, so both tables refuse any mode but `live`.

-- A payout the bank returned (closed account, wrong name) flags the account it went to; no
-- payout goes to a flagged account. A change of account makes a new row, unflagged.
ALTER TABLE bank_accounts ADD COLUMN payout_returned_at timestamptz;
-- For the payouts' composite foreign key: a payout's account is its merchant's.
ALTER TABLE bank_accounts ADD CONSTRAINT bank_accounts_id_merchant UNIQUE (id, merchant_id);

CREATE TYPE payout_batch_status AS ENUM ('created', 'approved', 'sent');
CREATE TYPE payout_status AS ENUM ('created', 'approved', 'sent', 'paid', 'returned');

CREATE TABLE payout_batches (
    id          uuid PRIMARY KEY,
    mode        payment_mode NOT NULL CHECK (mode = 'live'),
    currency    currency_code NOT NULL,
    status      payout_batch_status NOT NULL DEFAULT 'created',
    -- The staff member who pressed the run's button; NULL for the daily job.
    created_by  uuid REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    approved_by uuid REFERENCES users (id),
    approved_at timestamptz,
    sent_by     uuid REFERENCES users (id),
    sent_at     timestamptz,
    -- Four eyes: whoever created a batch may not approve it.
    CONSTRAINT payout_batches_four_eyes CHECK (approved_by <> created_by),
    CHECK ((status = 'created') = (approved_by IS NULL)),
    CHECK ((approved_by IS NULL) = (approved_at IS NULL)),
    CHECK ((status = 'sent') = (sent_at IS NOT NULL AND sent_by IS NOT NULL)),
    UNIQUE (id, mode, currency)
);
CREATE INDEX payout_batches_recent ON payout_batches (created_at DESC);

CREATE TABLE payouts (
    id              uuid PRIMARY KEY,
    batch_id        uuid NOT NULL,
    merchant_id     uuid NOT NULL REFERENCES merchants (id),
    bank_account_id uuid NOT NULL,
    mode            payment_mode NOT NULL CHECK (mode = 'live'),
    currency        currency_code NOT NULL,
    amount_minor    minor_amount NOT NULL,
    -- The day (in Kosovo) of the run that created it: one payout per merchant, currency and day.
    run_on          date NOT NULL,
    -- The bank's reference for this one transfer (pain.001 EndToEndId, on the statement).
    end_to_end_id   text NOT NULL UNIQUE CHECK (end_to_end_id ~ '^[A-Za-z0-9-]{1,35}$'),
    status          payout_status NOT NULL DEFAULT 'created',
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    paid_at         timestamptz,
    returned_at     timestamptz,
    return_reason   text CHECK (length(return_reason) BETWEEN 1 AND 500),
    -- Who marked it paid or returned; NULL when a statement import did.
    settled_by      uuid REFERENCES users (id),
    FOREIGN KEY (batch_id, mode, currency) REFERENCES payout_batches (id, mode, currency),
    FOREIGN KEY (bank_account_id, merchant_id) REFERENCES bank_accounts (id, merchant_id),
    UNIQUE (merchant_id, currency, run_on),
    CHECK ((status = 'paid') = (paid_at IS NOT NULL)),
    CHECK ((status = 'returned') = (returned_at IS NOT NULL AND return_reason IS NOT NULL)),
    CHECK ((status IN ('sent', 'paid', 'returned')) = (sent_at IS NOT NULL))
);
CREATE INDEX payouts_by_batch ON payouts (batch_id);
CREATE INDEX payouts_by_merchant ON payouts (merchant_id, created_at DESC);

-- A status only moves forward, and a payout keeps its amount, merchant, account, batch
-- and reference: the bank file and the books were built from them.
CREATE FUNCTION payouts_move_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status <> OLD.status AND NOT (
           (OLD.status = 'created' AND NEW.status = 'approved')
        OR (OLD.status = 'approved' AND NEW.status = 'sent')
        OR (OLD.status = 'sent' AND NEW.status IN ('paid', 'returned'))) THEN
        RAISE EXCEPTION 'payouts: % cannot become %', OLD.status, NEW.status USING ERRCODE = 'check_violation';
    END IF;
    IF (NEW.batch_id, NEW.merchant_id, NEW.bank_account_id, NEW.mode, NEW.currency, NEW.amount_minor, NEW.end_to_end_id, NEW.run_on)
       IS DISTINCT FROM
       (OLD.batch_id, OLD.merchant_id, OLD.bank_account_id, OLD.mode, OLD.currency, OLD.amount_minor, OLD.end_to_end_id, OLD.run_on) THEN
        RAISE EXCEPTION 'payouts: a payout keeps what it pays, to whom and where' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER payouts_move_forward BEFORE UPDATE ON payouts FOR EACH ROW EXECUTE FUNCTION payouts_move_forward();

CREATE FUNCTION payout_batches_move_forward() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status <> OLD.status AND NOT (
           (OLD.status = 'created' AND NEW.status = 'approved')
        OR (OLD.status = 'approved' AND NEW.status = 'sent')) THEN
        RAISE EXCEPTION 'payout batches: % cannot become %', OLD.status, NEW.status USING ERRCODE = 'check_violation';
    END IF;
    IF (NEW.mode, NEW.currency, NEW.created_by, NEW.created_at) IS DISTINCT FROM (OLD.mode, OLD.currency, OLD.created_by, OLD.created_at) THEN
        RAISE EXCEPTION 'payout batches: a batch keeps its mode, currency and creator' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER payout_batches_move_forward BEFORE UPDATE ON payout_batches
    FOR EACH ROW EXECUTE FUNCTION payout_batches_move_forward();

-- No payout to a flagged account (checked again by the run, which skips it).
CREATE FUNCTION payouts_account_not_flagged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM bank_accounts WHERE id = NEW.bank_account_id AND (payout_returned_at IS NOT NULL OR retired_at IS NOT NULL)) THEN
        RAISE EXCEPTION 'payouts: the account is retired or a payout to it was returned' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER payouts_account_not_flagged BEFORE INSERT ON payouts FOR EACH ROW EXECUTE FUNCTION payouts_account_not_flagged();

-- A bank statement's CSV as staff imported it, and each of its lines with what it did:
-- `paid` (it settled a sent payout), `already_paid` (a line imported before), `unmatched`.
CREATE TABLE payout_statement_imports (
    id          uuid PRIMARY KEY,
    file_name   text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 200),
    imported_by uuid NOT NULL REFERENCES users (id),
    imported_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payout_statement_imports_recent ON payout_statement_imports (imported_at DESC);

CREATE TABLE payout_statement_lines (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    import_id     uuid NOT NULL REFERENCES payout_statement_imports (id),
    line_no       integer NOT NULL CHECK (line_no > 0),
    booked_on     date,
    amount_minor  bigint,
    end_to_end_id text CHECK (length(end_to_end_id) <= 200),
    payout_id     uuid REFERENCES payouts (id),
    outcome       text NOT NULL CHECK (outcome IN ('paid', 'already_paid', 'unmatched')),
    -- Why a line was not matched, in plain words.
    note          text CHECK (length(note) BETWEEN 1 AND 300),
    UNIQUE (import_id, line_no),
    CHECK ((outcome = 'unmatched') = (payout_id IS NULL)),
    CHECK ((outcome = 'unmatched') = (note IS NOT NULL))
);

GRANT SELECT, INSERT, UPDATE ON payout_batches, payouts TO saleonix_app;
GRANT SELECT, INSERT ON payout_statement_imports, payout_statement_lines TO saleonix_app;
