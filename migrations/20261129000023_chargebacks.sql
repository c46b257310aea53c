-- Chargebacks: a buyer's bank took a payment back through the acquirer (BKT), which
-- reports it to Saleonix. Staff record it; the merchant is debited in the same transaction
-- (the ledger entry `chargeback:<id>`), told the deadline, and answers with evidence until
-- it; staff mark it won (the money comes back) or lost.
--
-- The database holds the rules, whatever the code above does:
--   * a chargeback belongs to a paid payment of the same merchant, mode and currency, and
--     all of a payment's chargebacks together never pass what was captured (a trigger,
--     under the payment's row lock, so two at once cannot pass it either);
--   * what was reported never changes; the status moves only open → evidence_submitted →
--     won | lost (or open → won | lost), and a decision carries who made it and when;
--   * evidence is append-only, stored encrypted, and accepted only while the chargeback
--     is undecided and its deadline (a day in Kosovo) has not passed.

CREATE TYPE chargeback_status AS ENUM ('open', 'evidence_submitted', 'won', 'lost');

CREATE TABLE chargebacks (
    id              uuid PRIMARY KEY,
    -- Chosen by the console's form, once: recording again with it finds this chargeback
    -- instead of debiting the merchant twice.
    request_id      uuid NOT NULL UNIQUE,
    payment_id      uuid NOT NULL REFERENCES payments (id),
    merchant_id     uuid NOT NULL REFERENCES merchants (id),
    mode            payment_mode NOT NULL,
    amount_minor    minor_amount NOT NULL,
    currency        currency_code NOT NULL,
    -- The card scheme's reason code as the acquirer reported it (Visa `10.4`, Mastercard `4837`).
    reason_code     text NOT NULL CHECK (reason_code ~ '^[A-Za-z0-9.]{1,10}$'),
    -- The day the acquirer reported it, and the last day evidence is taken (Kosovo's days).
    reported_on     date NOT NULL,
    evidence_due_on date NOT NULL,
    status          chargeback_status NOT NULL DEFAULT 'open',
    recorded_by     uuid NOT NULL REFERENCES users (id),
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    decided_by      uuid REFERENCES users (id),
    decided_at      timestamptz,
    CONSTRAINT chargebacks_deadline_after_report CHECK (evidence_due_on >= reported_on),
    CONSTRAINT chargebacks_decided_when_closed CHECK ((status IN ('won', 'lost')) = (decided_at IS NOT NULL)),
    CONSTRAINT chargebacks_decision_has_a_person CHECK ((decided_by IS NULL) = (decided_at IS NULL)),
    UNIQUE (id, merchant_id)
);
CREATE INDEX chargebacks_by_merchant ON chargebacks (merchant_id, mode, recorded_at DESC);
CREATE INDEX chargebacks_by_payment ON chargebacks (payment_id);
CREATE INDEX chargebacks_by_time ON chargebacks (recorded_at DESC);

-- A new chargeback matches its payment and stays within what the payment captured less
-- the chargebacks before it. The payment's row is locked, so concurrent recordings of the
-- same payment are counted one after the other.
CREATE FUNCTION chargebacks_within_payment() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    p record;
    earlier bigint;
BEGIN
    SELECT merchant_id, mode, currency, amount_minor, status::text AS status INTO p
    FROM payments WHERE id = NEW.payment_id FOR UPDATE;
    IF p.merchant_id IS DISTINCT FROM NEW.merchant_id OR p.mode IS DISTINCT FROM NEW.mode
       OR p.currency IS DISTINCT FROM NEW.currency THEN
        RAISE EXCEPTION 'chargeback: merchant, mode and currency are the payment''s'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'chargebacks_match_payment';
    END IF;
    IF p.status NOT IN ('paid', 'refunded', 'partially_refunded') THEN
        RAISE EXCEPTION 'chargeback: only a paid payment can be charged back'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'chargebacks_of_paid_payments';
    END IF;
    SELECT coalesce(sum(amount_minor), 0) INTO earlier FROM chargebacks WHERE payment_id = NEW.payment_id;
    IF earlier + NEW.amount_minor > p.amount_minor THEN
        RAISE EXCEPTION 'chargeback: % more than the payment''s % less earlier chargebacks %',
            NEW.amount_minor, p.amount_minor, earlier
            USING ERRCODE = 'check_violation', CONSTRAINT = 'chargebacks_within_captured';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER chargebacks_within_payment BEFORE INSERT ON chargebacks
    FOR EACH ROW EXECUTE FUNCTION chargebacks_within_payment();

-- What was reported stays as reported; the status only moves forward; nothing is deleted.
-- (The evidence deadline may move: acquirers extend it.)
CREATE FUNCTION chargebacks_moves() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'chargeback: a chargeback is never deleted' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (NEW.request_id, NEW.payment_id, NEW.merchant_id, NEW.mode, NEW.amount_minor, NEW.currency, NEW.reason_code,
        NEW.reported_on, NEW.recorded_by, NEW.recorded_at)
       IS DISTINCT FROM
       (OLD.request_id, OLD.payment_id, OLD.merchant_id, OLD.mode, OLD.amount_minor, OLD.currency, OLD.reason_code,
        OLD.reported_on, OLD.recorded_by, OLD.recorded_at) THEN
        RAISE EXCEPTION 'chargeback: what was reported does not change' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.status <> NEW.status AND NOT (
           (OLD.status = 'open' AND NEW.status IN ('evidence_submitted', 'won', 'lost'))
        OR (OLD.status = 'evidence_submitted' AND NEW.status IN ('won', 'lost'))) THEN
        RAISE EXCEPTION 'chargeback: % cannot become %', OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'chargebacks_status_moves';
    END IF;
    IF OLD.decided_at IS NOT NULL AND (NEW.decided_at, NEW.decided_by) IS DISTINCT FROM (OLD.decided_at, OLD.decided_by) THEN
        RAISE EXCEPTION 'chargeback: a decision stays as made' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER chargebacks_moves BEFORE UPDATE OR DELETE ON chargebacks
    FOR EACH ROW EXECUTE FUNCTION chargebacks_moves();

-- The merchant's answer: text (as `text/plain`) or a PDF, JPEG or PNG known by its first
-- bytes, encrypted with AES-256-GCM bound to `chargeback_evidence.content_enc.<merchant
-- id>/<evidence id>` like KYC documents. Never the uploaded file's name.
CREATE TABLE chargeback_evidence (
    id            uuid PRIMARY KEY,
    chargeback_id uuid NOT NULL,
    merchant_id   uuid NOT NULL,
    content_type  text NOT NULL CHECK (content_type IN ('text/plain', 'application/pdf', 'image/jpeg', 'image/png')),
    size_bytes    integer NOT NULL CHECK (size_bytes BETWEEN 1 AND 10485760),
    content_enc   bytea NOT NULL,
    added_by      uuid NOT NULL REFERENCES users (id),
    added_at      timestamptz NOT NULL DEFAULT now(),
    -- A statement is at most 5000 characters (20000 bytes of UTF-8).
    CONSTRAINT chargeback_evidence_text_size CHECK (content_type <> 'text/plain' OR size_bytes <= 20000),
    FOREIGN KEY (chargeback_id, merchant_id) REFERENCES chargebacks (id, merchant_id)
);
CREATE INDEX chargeback_evidence_by_chargeback ON chargeback_evidence (chargeback_id, added_at);
COMMENT ON COLUMN chargeback_evidence.content_enc IS 'may hold personal data (the buyer''s name, address, messages): encrypted';

CREATE FUNCTION chargeback_evidence_in_time() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    c record;
BEGIN
    SELECT status, evidence_due_on INTO c FROM chargebacks WHERE id = NEW.chargeback_id FOR UPDATE;
    IF c.status NOT IN ('open', 'evidence_submitted') THEN
        RAISE EXCEPTION 'chargeback: evidence for a decided chargeback'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'chargeback_evidence_undecided';
    END IF;
    IF (now() AT TIME ZONE 'Europe/Belgrade')::date > c.evidence_due_on THEN
        RAISE EXCEPTION 'chargeback: evidence after the deadline'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'chargeback_evidence_before_deadline';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER chargeback_evidence_in_time BEFORE INSERT ON chargeback_evidence
    FOR EACH ROW EXECUTE FUNCTION chargeback_evidence_in_time();
CREATE TRIGGER chargeback_evidence_append_only BEFORE UPDATE OR DELETE ON chargeback_evidence
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_changes();

GRANT SELECT, INSERT, UPDATE ON chargebacks TO saleonix_app;
GRANT SELECT, INSERT ON chargeback_evidence TO saleonix_app;
