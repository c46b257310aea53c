-- Checkout and payments: the catalogue, payment links, checkout sessions, payment attempts
-- and their timeline. Every merchant object carries its mode, and composite foreign keys
-- over (id, merchant_id, mode) make a Test object unable to point at a Live one (or at
-- another merchant's). A payment also names the gateway account it was sent to, by
-- (mode, client_id), so a Test payment can only ever reference the Test account.
-- No table here has a column that could hold a card number: the buyer types it on the
-- gateway's page, and the masked PAN the gateway returns is checked to be masked.

CREATE DOMAIN currency_code AS char(3) CHECK (VALUE IN ('EUR', 'ALL', 'USD', 'RSD'));
CREATE DOMAIN minor_amount AS bigint CHECK (VALUE > 0 AND VALUE <= 100000000000);

ALTER TABLE products
    ADD COLUMN description text CHECK (length(description) <= 1000),
    ADD CONSTRAINT products_currency CHECK (currency IN ('EUR', 'ALL', 'USD', 'RSD')),
    ADD CONSTRAINT products_identity UNIQUE (id, merchant_id, mode);

-- A reusable, shareable URL for a product or a fixed amount. The title and amount are
-- copied from the product when the link is made, so a link always charges what it said.
CREATE TABLE payment_links (
    id           uuid PRIMARY KEY,
    merchant_id  uuid NOT NULL REFERENCES merchants (id),
    mode         payment_mode NOT NULL,
    token        text NOT NULL UNIQUE CHECK (token ~ '^pl_[A-Za-z0-9]{22}$'),
    product_id   uuid,
    title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    amount_minor minor_amount NOT NULL,
    currency     currency_code NOT NULL,
    max_payments integer CHECK (max_payments > 0),
    expires_at   timestamptz,
    archived_at  timestamptz,
    created_by   uuid REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (id, merchant_id, mode),
    FOREIGN KEY (product_id, merchant_id, mode) REFERENCES products (id, merchant_id, mode)
);
CREATE INDEX payment_links_by_merchant ON payment_links (merchant_id, mode, created_at DESC);

CREATE TYPE checkout_status AS ENUM ('open', 'paid', 'expired');

-- One order a buyer pays once: made from the dashboard, or by a buyer opening a link.
CREATE TABLE checkout_sessions (
    id           uuid PRIMARY KEY,
    merchant_id  uuid NOT NULL REFERENCES merchants (id),
    mode         payment_mode NOT NULL,
    token        text NOT NULL UNIQUE CHECK (token ~ '^cs_[A-Za-z0-9]{22}$'),
    link_id      uuid,
    amount_minor minor_amount NOT NULL,
    currency     currency_code NOT NULL,
    buyer_email  text CHECK (length(buyer_email) BETWEEN 3 AND 254),
    reference    text CHECK (length(reference) BETWEEN 1 AND 100),
    success_url  text CHECK (success_url ~ '^https?://' AND length(success_url) <= 2000),
    cancel_url   text CHECK (cancel_url ~ '^https?://' AND length(cancel_url) <= 2000),
    status       checkout_status NOT NULL DEFAULT 'open',
    created_by   uuid REFERENCES users (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    paid_at      timestamptz,
    CHECK (expires_at BETWEEN created_at + interval '30 minutes' AND created_at + interval '24 hours'),
    CHECK ((status = 'paid') = (paid_at IS NOT NULL)),
    UNIQUE (id, merchant_id, mode),
    FOREIGN KEY (link_id, merchant_id, mode) REFERENCES payment_links (id, merchant_id, mode)
);
CREATE INDEX checkout_sessions_by_merchant ON checkout_sessions (merchant_id, mode, created_at DESC);
CREATE INDEX checkout_sessions_by_link ON checkout_sessions (link_id) WHERE link_id IS NOT NULL;

CREATE TABLE checkout_items (
    session_id        uuid NOT NULL REFERENCES checkout_sessions (id),
    position          smallint NOT NULL CHECK (position BETWEEN 1 AND 50),
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    product_id        uuid REFERENCES products (id),
    unit_amount_minor minor_amount NOT NULL,
    quantity          integer NOT NULL CHECK (quantity BETWEEN 1 AND 999),
    PRIMARY KEY (session_id, position)
);

-- The account a payment went to: (mode, client_id) is what a payment references.
ALTER TABLE gateway_accounts ADD CONSTRAINT gateway_accounts_mode_client UNIQUE (mode, client_id);

CREATE TYPE payment_status AS ENUM
    ('created', 'pending', 'paid', 'declined', 'failed', 'expired', 'refunded', 'partially_refunded');

-- One attempt to pay a session: one gateway order id. Only `platform::payments::transition`
-- changes `status`, in one transaction with the timeline row and the audit row.
CREATE TABLE payments (
    id                uuid PRIMARY KEY,
    merchant_id       uuid NOT NULL REFERENCES merchants (id),
    mode              payment_mode NOT NULL,
    session_id        uuid NOT NULL,
    order_id          text NOT NULL UNIQUE CHECK (order_id ~ '^[A-Za-z0-9_-]{1,20}$'),
    gateway_client_id text NOT NULL,
    amount_minor      minor_amount NOT NULL,
    currency          currency_code NOT NULL,
    status            payment_status NOT NULL DEFAULT 'created',
    buyer_email       text CHECK (length(buyer_email) BETWEEN 3 AND 254),
    -- What the gateway returns about the card: never more than the first six and last four.
    masked_pan        text CHECK (masked_pan ~ '^[0-9]{0,6}[*Xx]+[0-9]{0,4}$'),
    card_brand        text CHECK (length(card_brand) <= 40),
    auth_code         text CHECK (length(auth_code) <= 40),
    host_ref_num      text CHECK (length(host_ref_num) <= 40),
    trans_id          text CHECK (length(trans_id) <= 64),
    proc_return_code  text CHECK (length(proc_return_code) <= 8),
    md_status         text CHECK (length(md_status) <= 4),
    -- A fixed phrase chosen by the code from the codes above, shown to buyer and merchant.
    decline_reason    text CHECK (length(decline_reason) <= 200),
    refunded_minor    bigint NOT NULL DEFAULT 0 CHECK (refunded_minor >= 0 AND refunded_minor <= amount_minor),
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    paid_at           timestamptz,
    CHECK ((status IN ('paid', 'refunded', 'partially_refunded')) = (paid_at IS NOT NULL)),
    FOREIGN KEY (session_id, merchant_id, mode) REFERENCES checkout_sessions (id, merchant_id, mode),
    FOREIGN KEY (mode, gateway_client_id) REFERENCES gateway_accounts (mode, client_id)
);
-- A session is paid once: a second approval for it cannot become a second paid payment.
CREATE UNIQUE INDEX payments_one_paid_per_session ON payments (session_id)
    WHERE status IN ('paid', 'refunded', 'partially_refunded');
CREATE INDEX payments_by_merchant ON payments (merchant_id, mode, created_at DESC);
CREATE INDEX payments_by_session ON payments (session_id);

-- The payment's timeline: every state change, gateway return, callback and status query.
CREATE TABLE payment_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    payment_id  uuid NOT NULL REFERENCES payments (id),
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    source      text NOT NULL CHECK (source IN ('buyer', 'return', 'callback', 'status_query', 'expiry')),
    from_status payment_status,
    to_status   payment_status,
    -- A fixed phrase: what happened when the state did not change ("duplicate", "bad_hash").
    note        text CHECK (length(note) <= 200)
);
CREATE INDEX payment_events_by_payment ON payment_events (payment_id, id);

GRANT SELECT, INSERT, UPDATE ON payment_links, checkout_sessions, payments TO saleonix_app;
GRANT SELECT, INSERT ON checkout_items, payment_events TO saleonix_app;
