-- Manual adjustments of a merchant's available balance by staff (module `payouts` `act`):
-- a goodwill refund of a fee, an acquirer's fee passed on, a chargeback Saleonix absorbs.
-- Each is posted as one `adjustment` entry (its cause the adjustment's id) against one
-- platform account. Above a threshold (settings.ledger.adjustment_four_eyes_above_minor)
-- it waits for a second staff member; the schema, not only the code, holds that:
--   * only an adjustment that needs four eyes can wait, and only its requester cannot
--     decide it;
--   * an approved adjustment names its entry, and only an approved one does;
--   * a decided adjustment never changes again, and none is ever deleted.

CREATE TABLE ledger_adjustments (
    id              uuid PRIMARY KEY,
    merchant_id     uuid NOT NULL REFERENCES merchants (id),
    mode            payment_mode NOT NULL,
    currency        currency_code NOT NULL DEFAULT 'EUR',
    -- `credit`: the merchant's available balance goes up; `debit`: it goes down.
    direction       text NOT NULL CHECK (direction IN ('credit', 'debit')),
    amount_minor    bigint NOT NULL CHECK (amount_minor BETWEEN 1 AND 100000000),
    -- The platform account on the other side.
    counter_account ledger_account_kind NOT NULL
                    CHECK (counter_account IN ('fee_revenue', 'gateway_fees', 'chargeback_losses')),
    reason          text NOT NULL CHECK (length(btrim(reason)) BETWEEN 5 AND 500),
    status          text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    needs_second    boolean NOT NULL,
    requested_by    uuid NOT NULL REFERENCES users (id),
    requested_at    timestamptz NOT NULL DEFAULT now(),
    decided_by      uuid REFERENCES users (id),
    decided_at      timestamptz,
    entry_id        bigint REFERENCES ledger_entries (id),
    CHECK ((status = 'pending') = (decided_by IS NULL)),
    CHECK ((status = 'pending') = (decided_at IS NULL)),
    CHECK (status <> 'pending' OR needs_second),
    CHECK (NOT needs_second OR decided_by IS DISTINCT FROM requested_by),
    CHECK (needs_second OR decided_by = requested_by),
    CHECK ((status = 'approved') = (entry_id IS NOT NULL))
);
CREATE INDEX ledger_adjustments_by_merchant ON ledger_adjustments (merchant_id, requested_at DESC);
CREATE INDEX ledger_adjustments_waiting ON ledger_adjustments (requested_at) WHERE status = 'pending';

CREATE FUNCTION ledger_adjustments_decided_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR OLD.status <> 'pending' THEN
        RAISE EXCEPTION 'ledger: a decided adjustment never changes' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (NEW.merchant_id, NEW.mode, NEW.currency, NEW.direction, NEW.amount_minor, NEW.counter_account, NEW.reason,
        NEW.needs_second, NEW.requested_by, NEW.requested_at)
       IS DISTINCT FROM
       (OLD.merchant_id, OLD.mode, OLD.currency, OLD.direction, OLD.amount_minor, OLD.counter_account, OLD.reason,
        OLD.needs_second, OLD.requested_by, OLD.requested_at) THEN
        RAISE EXCEPTION 'ledger: an adjustment is decided as it was asked' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER ledger_adjustments_decided_once BEFORE UPDATE OR DELETE ON ledger_adjustments
    FOR EACH ROW EXECUTE FUNCTION ledger_adjustments_decided_once();

-- The console's ledger view pages a merchant's entries by id.
CREATE INDEX ledger_entries_by_merchant_id ON ledger_entries (merchant_id, mode, id DESC);

GRANT SELECT, INSERT, UPDATE ON ledger_adjustments TO saleonix_app;
