-- The books: a double-entry ledger of what Saleonix owes each merchant and what it holds,
-- the fees it charges (with VAT on them), when sold money is released, and payouts.
--
-- Every amount is integer minor units in a line's currency. A line's amount is signed:
-- a debit is positive, a credit negative, so every entry sums to zero per currency. The
-- database, not only the code, holds the books to that:
--   * entries and lines are append-only (a correction is a new entry);
--   * an entry balances per currency and has lines, checked at commit (deferred triggers);
--   * a line's mode equals its entry's and its account's (composite foreign keys), so
--     Test Mode and Live Mode can never share an entry;
--   * a merchant's accounts appear only in that merchant's entries;
--   * an account's balance (and each line's running balance) is kept by the line trigger
--     alone: the application cannot write a balance.

-- Who may approve payout batches, import bank statements and adjust the books.
ALTER TYPE staff_module ADD VALUE 'payouts';

CREATE TYPE ledger_account_kind AS ENUM (
    -- What Saleonix owes a merchant (credit-normal): sold and not yet released, free to be
    -- paid out, held back as a rolling reserve, and on its way to the merchant's bank.
    'merchant_pending', 'merchant_available', 'merchant_reserve', 'merchant_in_payout',
    -- What the acquirer (BKT) owes Saleonix for captured card payments (debit-normal).
    'gateway_clearing',
    -- Saleonix's fee income, and the VAT on it owed to the Kosovo Tax Administration.
    'fee_revenue', 'vat_payable',
    -- Costs booked by staff adjustments: the acquirer's own fees, chargebacks Saleonix
    -- absorbs.
    'gateway_fees', 'chargeback_losses',
    -- Duplicate charges taken from buyers and owed back to them.
    'buyer_returns',
    -- Payouts sent to the bank and not yet confirmed, and the platform's bank account
    -- they leave from.
    'payouts_in_transit', 'payout_bank'
);

CREATE TABLE ledger_accounts (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          ledger_account_kind NOT NULL,
    merchant_id   uuid REFERENCES merchants (id),
    mode          payment_mode NOT NULL,
    currency      currency_code NOT NULL,
    -- Debits minus credits of every line so far; written by ledger_lines_post only.
    balance_minor bigint NOT NULL DEFAULT 0,
    CHECK ((kind::text LIKE 'merchant\_%') = (merchant_id IS NOT NULL)),
    UNIQUE NULLS NOT DISTINCT (kind, merchant_id, mode, currency),
    UNIQUE (id, mode, currency)
);

CREATE TYPE ledger_entry_kind AS ENUM (
    'payment_paid', 'payment_refund', 'payment_reversal', 'duplicate_capture', 'duplicate_return',
    'release', 'payout_created', 'payout_sent', 'payout_paid', 'payout_returned', 'chargeback',
    'chargeback_reversal', 'adjustment'
);

CREATE TABLE ledger_entries (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind        ledger_entry_kind NOT NULL,
    mode        payment_mode NOT NULL,
    -- The merchant whose accounts the entry moves (NULL: platform accounts only).
    merchant_id uuid REFERENCES merchants (id),
    -- What caused the entry, once: a retried cause finds its entry and posts nothing.
    cause       text NOT NULL UNIQUE CHECK (length(cause) BETWEEN 1 AND 200),
    payment_id  uuid REFERENCES payments (id),
    -- A fixed phrase or the reason staff gave.
    memo        text CHECK (length(memo) <= 500),
    -- The staff member behind an adjustment or a payout step; NULL for the platform.
    created_by  uuid REFERENCES users (id),
    posted_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (id, mode)
);
-- A payment's entries, newest last: `ledger::sales` reads its latest capture or reversal.
CREATE INDEX ledger_entries_by_payment ON ledger_entries (payment_id, id) WHERE payment_id IS NOT NULL;
CREATE INDEX ledger_entries_by_merchant ON ledger_entries (merchant_id, mode, posted_at DESC);

CREATE TABLE ledger_lines (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entry_id            bigint NOT NULL,
    account_id          bigint NOT NULL,
    mode                payment_mode NOT NULL,
    currency            currency_code NOT NULL,
    -- Debit positive, credit negative.
    amount_minor        bigint NOT NULL CHECK (amount_minor <> 0),
    -- The account's balance after this line (set by ledger_lines_post).
    balance_after_minor bigint NOT NULL DEFAULT 0,
    FOREIGN KEY (entry_id, mode) REFERENCES ledger_entries (id, mode),
    FOREIGN KEY (account_id, mode, currency) REFERENCES ledger_accounts (id, mode, currency)
);
CREATE INDEX ledger_lines_by_account ON ledger_lines (account_id, id);
CREATE INDEX ledger_lines_by_entry ON ledger_lines (entry_id);

-- Keeps the account's balance and the line's running balance, and refuses a merchant's
-- account in another merchant's entry. SECURITY DEFINER: the application role has no
-- UPDATE on ledger_accounts, so this is the only way a balance moves.
CREATE FUNCTION ledger_lines_post() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    account_merchant uuid;
    entry_merchant   uuid;
BEGIN
    SELECT merchant_id INTO entry_merchant FROM ledger_entries WHERE id = NEW.entry_id;
    UPDATE ledger_accounts SET balance_minor = balance_minor + NEW.amount_minor
    WHERE id = NEW.account_id
    RETURNING balance_minor, merchant_id INTO NEW.balance_after_minor, account_merchant;
    IF account_merchant IS NOT NULL AND account_merchant IS DISTINCT FROM entry_merchant THEN
        RAISE EXCEPTION 'ledger: a merchant''s account in another merchant''s entry' USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER ledger_lines_post BEFORE INSERT ON ledger_lines FOR EACH ROW EXECUTE FUNCTION ledger_lines_post();

-- A balance changes only through a line.
CREATE FUNCTION ledger_accounts_balance_from_lines() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() < 2 AND NEW.balance_minor IS DISTINCT FROM OLD.balance_minor THEN
        RAISE EXCEPTION 'ledger: a balance moves only by posting lines' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.kind IS DISTINCT FROM OLD.kind OR NEW.merchant_id IS DISTINCT FROM OLD.merchant_id
       OR NEW.mode IS DISTINCT FROM OLD.mode OR NEW.currency IS DISTINCT FROM OLD.currency THEN
        RAISE EXCEPTION 'ledger: an account keeps what it is' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER ledger_accounts_balance_from_lines BEFORE UPDATE ON ledger_accounts
    FOR EACH ROW EXECUTE FUNCTION ledger_accounts_balance_from_lines();

CREATE FUNCTION ledger_refuse_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger: % is append-only; post a reversing entry instead', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_changes();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_changes();
CREATE TRIGGER ledger_lines_append_only BEFORE UPDATE OR DELETE ON ledger_lines
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_changes();
CREATE TRIGGER ledger_lines_no_truncate BEFORE TRUNCATE ON ledger_lines
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_changes();
CREATE TRIGGER ledger_accounts_no_delete BEFORE DELETE ON ledger_accounts
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_changes();
CREATE TRIGGER ledger_accounts_no_truncate BEFORE TRUNCATE ON ledger_accounts
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_changes();

-- At commit: every entry has at least two lines, and they balance per currency.
CREATE FUNCTION ledger_entry_balances() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    entry bigint;
BEGIN
    IF TG_TABLE_NAME = 'ledger_entries' THEN
        entry := NEW.id;
    ELSE
        entry := NEW.entry_id;
    END IF;
    IF (SELECT count(*) FROM ledger_lines WHERE entry_id = entry) < 2 THEN
        RAISE EXCEPTION 'ledger: entry % has fewer than two lines', entry USING ERRCODE = 'check_violation';
    END IF;
    IF EXISTS (SELECT 1 FROM ledger_lines WHERE entry_id = entry GROUP BY currency HAVING sum(amount_minor) <> 0) THEN
        RAISE EXCEPTION 'ledger: entry % does not balance', entry USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER ledger_entries_balance AFTER INSERT ON ledger_entries
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_entry_balances();
CREATE CONSTRAINT TRIGGER ledger_lines_balance AFTER INSERT ON ledger_lines
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_entry_balances();

-- The nightly check (`ledger::checks`) sums every account's lines and compares them with the
-- kept balance; a difference (only someone bypassing the triggers could make one) opens a
-- reconciliation exception on the account, at most one open per account.
ALTER TABLE reconciliation_exceptions
    ALTER COLUMN payment_id DROP NOT NULL,
    ALTER COLUMN merchant_id DROP NOT NULL,
    ADD COLUMN ledger_account_id bigint REFERENCES ledger_accounts (id),
    ADD CONSTRAINT reconciliation_exceptions_payment_or_account
        CHECK ((kind = 'ledger_balance') = (payment_id IS NULL) AND (kind = 'ledger_balance') = (ledger_account_id IS NOT NULL)),
    ADD CONSTRAINT reconciliation_exceptions_payment_has_merchant CHECK (payment_id IS NULL OR merchant_id IS NOT NULL);
ALTER TABLE reconciliation_exceptions DROP CONSTRAINT reconciliation_exceptions_kind_check;
ALTER TABLE reconciliation_exceptions ADD CONSTRAINT reconciliation_exceptions_kind_check
    CHECK (kind IN ('mismatch', 'unresolved', 'duplicate', 'late_capture', 'ledger_balance'));
CREATE UNIQUE INDEX reconciliation_exceptions_one_open_per_account ON reconciliation_exceptions (ledger_account_id)
    WHERE resolved_at IS NULL AND ledger_account_id IS NOT NULL;

-- Fees ------------------------------------------------------------------------------------

-- A fee schedule: the default (no merchant), set by a platform administrator, or one
-- merchant's override. A payment pays the schedule in effect when it was paid: the
-- merchant's newest override that had started, else the newest default that had. A
-- schedule starts now or later, never in the past, and is never changed: a new one
-- replaces it from its date.
CREATE TABLE fee_schedules (
    id             uuid PRIMARY KEY,
    merchant_id    uuid REFERENCES merchants (id),
    -- Basis points of the gross (290 = 2.90 %) plus a fixed amount per paid payment.
    percent_bp     integer NOT NULL CHECK (percent_bp BETWEEN 0 AND 10000),
    fixed_minor    bigint NOT NULL CHECK (fixed_minor BETWEEN 0 AND 100000),
    currency       currency_code NOT NULL DEFAULT 'EUR',
    effective_from timestamptz NOT NULL,
    created_by     uuid REFERENCES users (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (effective_from >= created_at)
);
CREATE INDEX fee_schedules_in_effect ON fee_schedules (merchant_id, currency, effective_from DESC);
CREATE TRIGGER fee_schedules_append_only BEFORE UPDATE OR DELETE ON fee_schedules
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_changes();
INSERT INTO fee_schedules (id, merchant_id, percent_bp, fixed_minor, currency, effective_from)
VALUES (gen_random_uuid(), NULL, 290, 25, 'EUR', now());

-- What one paid payment was charged, with the VAT rate used: the payment's page shows it.
CREATE TABLE payment_fees (
    payment_id  uuid PRIMARY KEY REFERENCES payments (id),
    -- NULL only for payments taken before the books existed, which paid no fee.
    schedule_id uuid REFERENCES fee_schedules (id),
    currency    currency_code NOT NULL,
    gross_minor bigint NOT NULL CHECK (gross_minor > 0),
    fee_minor   bigint NOT NULL CHECK (fee_minor >= 0),
    vat_minor   bigint NOT NULL CHECK (vat_minor >= 0),
    net_minor   bigint NOT NULL CHECK (net_minor >= 0),
    vat_rate_bp integer NOT NULL CHECK (vat_rate_bp BETWEEN 0 AND 10000),
    CHECK (fee_minor + vat_minor + net_minor = gross_minor)
);
CREATE TRIGGER payment_fees_append_only BEFORE UPDATE OR DELETE ON payment_fees
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_changes();

-- Release and reserve ---------------------------------------------------------------------

-- Kosovo's public holidays (Law No. 03/L-064 and the Government's yearly decisions on the
-- moving feasts): settlement delays count business days, skipping these and weekends.
CREATE TABLE public_holidays (
    day  date PRIMARY KEY,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100)
);
INSERT INTO public_holidays (day, name) VALUES
    ('2026-01-01', 'New Year''s Day'), ('2026-01-02', 'New Year holiday'),
    ('2026-01-07', 'Orthodox Christmas'), ('2026-02-17', 'Independence Day'),
    ('2026-03-20', 'Eid al-Fitr'), ('2026-04-06', 'Catholic Easter Monday'),
    ('2026-04-09', 'Constitution Day'), ('2026-04-13', 'Orthodox Easter Monday'),
    ('2026-05-01', 'Labour Day'), ('2026-05-09', 'Europe Day'),
    ('2026-05-27', 'Eid al-Adha'), ('2026-12-25', 'Catholic Christmas'),
    ('2027-01-01', 'New Year''s Day'), ('2027-01-04', 'New Year holiday (moved from Saturday)'),
    ('2027-01-07', 'Orthodox Christmas'), ('2027-02-17', 'Independence Day'),
    ('2027-03-10', 'Eid al-Fitr'), ('2027-03-29', 'Catholic Easter Monday'),
    ('2027-04-09', 'Constitution Day'), ('2027-05-03', 'Orthodox Easter Monday'),
    ('2027-05-10', 'Europe Day (moved from Sunday)'), ('2027-05-17', 'Eid al-Adha'),
    ('2027-12-27', 'Catholic Christmas (moved from Saturday)');

-- How a merchant is settled and paid; no row means the defaults below. Staff with
-- `merchants` `act` set the delay and the reserve; the merchant sets the schedule.
CREATE TABLE merchant_settlement (
    merchant_id          uuid PRIMARY KEY REFERENCES merchants (id),
    -- Business days a paid payment's net stays pending.
    delay_days           smallint NOT NULL DEFAULT 7 CHECK (delay_days BETWEEN 0 AND 60),
    -- A rolling reserve: this share of each net held this many days.
    reserve_bp           integer NOT NULL DEFAULT 0 CHECK (reserve_bp BETWEEN 0 AND 5000),
    reserve_days         smallint NOT NULL DEFAULT 0 CHECK (reserve_days BETWEEN 0 AND 365),
    payout_schedule      text NOT NULL DEFAULT 'weekly' CHECK (payout_schedule IN ('daily', 'weekly', 'monthly')),
    -- ISO weekday (1 Monday … 5 Friday) for weekly, day of month (1 … 28) for monthly.
    payout_weekday       smallint NOT NULL DEFAULT 1 CHECK (payout_weekday BETWEEN 1 AND 5),
    payout_month_day     smallint NOT NULL DEFAULT 1 CHECK (payout_month_day BETWEEN 1 AND 28),
    payout_minimum_minor bigint NOT NULL DEFAULT 1000 CHECK (payout_minimum_minor BETWEEN 100 AND 100000000),
    updated_by           uuid REFERENCES users (id),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    CHECK (reserve_bp = 0 OR reserve_days > 0)
);

-- Sold money on its way to `available`: the pending part of a paid payment's net, and the
-- reserve part. A refund or chargeback before the release takes from `remaining_minor`
-- first; the release job moves what remains on `release_on`.
CREATE TABLE ledger_holds (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_id     uuid NOT NULL REFERENCES merchants (id),
    mode            payment_mode NOT NULL,
    currency        currency_code NOT NULL,
    payment_id      uuid NOT NULL REFERENCES payments (id),
    kind            text NOT NULL CHECK (kind IN ('pending', 'reserve')),
    amount_minor    bigint NOT NULL CHECK (amount_minor > 0),
    remaining_minor bigint NOT NULL CHECK (remaining_minor >= 0),
    release_on      date NOT NULL,
    released_at     timestamptz,
    CHECK (remaining_minor <= amount_minor)
);
CREATE INDEX ledger_holds_due ON ledger_holds (release_on) WHERE released_at IS NULL;
CREATE INDEX ledger_holds_by_payment ON ledger_holds (payment_id);
CREATE INDEX ledger_holds_by_merchant ON ledger_holds (merchant_id, mode, release_on) WHERE released_at IS NULL;

-- Payments taken before the books existed enter them now, so every captured euro is in the
-- books from the first day: no fee was charged on them (none existed), their net is
-- available at once, and what was refunded already has gone back out of it. Their causes
-- are the ones `ledger::sales` would have used, so it carries on from them.
CREATE FUNCTION pg_temp.ledger_opening(p payments, entry_kind ledger_entry_kind, seq integer, other ledger_account_kind,
                                       amount bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    entry    bigint;
    clearing bigint;
    owed     bigint;
BEGIN
    INSERT INTO ledger_accounts (kind, merchant_id, mode, currency)
    VALUES ('gateway_clearing', NULL, p.mode, p.currency),
           (other, CASE WHEN other = 'merchant_available' THEN p.merchant_id END, p.mode, p.currency)
    ON CONFLICT DO NOTHING;
    SELECT id INTO clearing FROM ledger_accounts
    WHERE kind = 'gateway_clearing' AND merchant_id IS NULL AND mode = p.mode AND currency = p.currency;
    SELECT id INTO owed FROM ledger_accounts
    WHERE kind = other AND merchant_id IS NOT DISTINCT FROM (CASE WHEN other = 'merchant_available' THEN p.merchant_id END)
      AND mode = p.mode AND currency = p.currency;
    INSERT INTO ledger_entries (kind, mode, merchant_id, cause, payment_id, memo)
    VALUES (entry_kind, p.mode, p.merchant_id, 'payment:' || p.id || ':' || entry_kind || ':' || seq, p.id,
            'Taken before the books existed.')
    RETURNING id INTO entry;
    -- A capture debits clearing and credits what is owed; a refund the other way round.
    INSERT INTO ledger_lines (entry_id, account_id, mode, currency, amount_minor)
    VALUES (entry, clearing, p.mode, p.currency, CASE WHEN seq = 0 THEN amount ELSE -amount END),
           (entry, owed, p.mode, p.currency, CASE WHEN seq = 0 THEN -amount ELSE amount END);
END $$;

DO $$
DECLARE
    p payments;
BEGIN
    FOR p IN SELECT * FROM payments WHERE status::text IN ('paid', 'refunded', 'partially_refunded', 'duplicate')
             ORDER BY paid_at, id
    LOOP
        IF p.status::text = 'duplicate' THEN
            PERFORM pg_temp.ledger_opening(p, 'duplicate_capture', 0, 'buyer_returns', p.amount_minor);
            IF p.refunded_minor > 0 THEN
                PERFORM pg_temp.ledger_opening(p, 'duplicate_return', 1, 'buyer_returns', p.refunded_minor);
            END IF;
        ELSE
            INSERT INTO payment_fees (payment_id, schedule_id, currency, gross_minor, fee_minor, vat_minor, net_minor, vat_rate_bp)
            VALUES (p.id, NULL, p.currency, p.amount_minor, 0, 0, p.amount_minor, 0);
            PERFORM pg_temp.ledger_opening(p, 'payment_paid', 0, 'merchant_available', p.amount_minor);
            IF p.refunded_minor > 0 THEN
                PERFORM pg_temp.ledger_opening(p, 'payment_refund', 1, 'merchant_available', p.refunded_minor);
            END IF;
        END IF;
    END LOOP;
END $$;

GRANT SELECT, INSERT ON ledger_accounts, ledger_entries, ledger_lines, fee_schedules, payment_fees TO saleonix_app;
GRANT SELECT ON public_holidays TO saleonix_app;
GRANT SELECT, INSERT, UPDATE ON merchant_settlement, ledger_holds TO saleonix_app;
