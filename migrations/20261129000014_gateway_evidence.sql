-- The 3-D Secure result of each payment, kept as chargeback evidence: the gateway's
-- mdStatus (one digit), the ECI (two digits) and whether the liability for fraud shifted to
-- the card's issuer, as derived from those two. Never the CAVV or the XID: they are
-- authentication values, not evidence a person reads, and they are not stored at all.
ALTER TABLE payments
    ADD COLUMN eci text CONSTRAINT payments_eci_two_digits CHECK (eci ~ '^[0-9]{2}$'),
    ADD COLUMN liability_shifted boolean,
    ADD CONSTRAINT payments_md_status_one_digit CHECK (md_status ~ '^[0-9]$'),
    -- A shift is claimed only for an authentication (full or attempted) with its ECI.
    ADD CONSTRAINT payments_liability_shift_evidence CHECK (
        NOT coalesce(liability_shifted, false) OR (md_status IN ('1', '2', '3', '4') AND eci IS NOT NULL)),
    ADD CONSTRAINT payments_liability_needs_md_status CHECK (liability_shifted IS NULL OR md_status IS NOT NULL);

-- Refused gateway answers are counted per client address and window in rate_limit_hits
-- (bucket 'gateway-refusal-ip'); the first refusal of a window is audited at once, and the
-- window's count once the window has closed. This table records which windows have had
-- their count audited, so several instances write it once.
CREATE TABLE gateway_refusal_reports (
    client_key   text NOT NULL CHECK (length(client_key) <= 64),
    window_start timestamptz NOT NULL,
    refusals     integer NOT NULL CHECK (refusals > 0),
    reported_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_key, window_start)
);
CREATE INDEX gateway_refusal_reports_by_age ON gateway_refusal_reports (window_start);
GRANT SELECT, INSERT, DELETE ON gateway_refusal_reports TO saleonix_app;
