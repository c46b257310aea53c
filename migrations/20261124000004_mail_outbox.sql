-- Outgoing mail, queued in the same transaction as the action that sends it (a sign-up
-- and its verification mail commit together or not at all) and delivered by a background
-- worker (platform::mail), so an SMTP outage delays mail instead of losing it. A worker
-- holds a message's row lock (FOR UPDATE SKIP LOCKED) while sending it, which is what
-- keeps several server instances from sending one message twice.
CREATE TABLE mail_outbox (
    id              uuid PRIMARY KEY,
    to_address      text NOT NULL CHECK (length(to_address) BETWEEN 3 AND 254),
    subject         text NOT NULL CHECK (length(subject) BETWEEN 1 AND 300),
    -- The plain-text body as an AES-256-GCM ciphertext bound to this row (see
    -- platform::field_crypto): bodies carry single-use verification and reset links,
    -- which must never sit in the database readable. Erased once sent, so a link does
    -- not outlive its delivery; kept when delivery gave up, so an operator can requeue
    -- the message after a long outage.
    body            bytea,
    created_at      timestamptz NOT NULL DEFAULT now(),
    attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz,
    -- Delivery gave up after the configured number of attempts.
    failed_at       timestamptz,
    -- What went wrong last: an error kind and SMTP code, never the body.
    last_error      text,
    CHECK ((sent_at IS NULL) = (body IS NOT NULL)),
    CHECK (sent_at IS NULL OR failed_at IS NULL)
);
-- The worker's question, "what is due?", reads only pending rows.
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
