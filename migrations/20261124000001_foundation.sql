-- Foundation schema: the accounts the demo seed needs, the catalogue's first table and
-- the public contact form. Later migrations extend these; none of them holds card data.

CREATE TYPE user_kind AS ENUM ('merchant', 'staff', 'platform_admin');
CREATE TYPE merchant_role AS ENUM ('owner', 'admin', 'finance', 'developer', 'viewer');
CREATE TYPE payment_mode AS ENUM ('test', 'live');

CREATE TABLE users (
    id                uuid PRIMARY KEY,
    email             text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    full_name         text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
    kind              user_kind NOT NULL,
    -- Argon2id PHC string; the parameters travel inside it so they can be raised later.
    password_hash     text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    email_verified_at timestamptz,
    disabled_at       timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE merchants (
    id            uuid PRIMARY KEY,
    business_name text NOT NULL CHECK (length(business_name) BETWEEN 1 AND 200),
    -- Live Mode needs verified and not suspended; KYC fills these in later.
    verified_at   timestamptz,
    suspended_at  timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE merchant_members (
    merchant_id uuid NOT NULL REFERENCES merchants (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        merchant_role NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (merchant_id, user_id)
);
-- A merchant user belongs to exactly one merchant account.
CREATE UNIQUE INDEX merchant_members_one_account ON merchant_members (user_id);

CREATE TABLE products (
    id          uuid PRIMARY KEY,
    merchant_id uuid NOT NULL REFERENCES merchants (id),
    mode        payment_mode NOT NULL,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    -- Money is integer minor units plus an ISO 4217 code, never a float.
    price_minor bigint NOT NULL CHECK (price_minor > 0),
    currency    char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    archived_at timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX products_by_merchant ON products (merchant_id, mode);

-- "Talk to us" requests from the public landing page.
CREATE TABLE contact_requests (
    id            uuid PRIMARY KEY,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    email         text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    business_name text CHECK (length(business_name) <= 200),
    message       text NOT NULL CHECK (length(message) BETWEEN 1 AND 2000),
    created_at    timestamptz NOT NULL DEFAULT now()
);
