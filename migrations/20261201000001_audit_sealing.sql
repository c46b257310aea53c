-- The audit chain is sealed in batches (platform::audit::seal). Until now every writer took
-- the chain's advisory lock until its commit, which made every audited action on the
-- platform wait for the one before it. Now a writer inserts its row unchained (seq,
-- prev_hash and row_hash NULL) without any lock, and the sealer, one at a time across
-- instances under that same lock, chains committed rows a batch at a time: it gives each
-- the next chain position `seq` and its hashes. Chain order is seq order; ids stay the
-- rows' names. A row can be sealed once, and sealing may change nothing else.
--
-- For the rows chained before, chain order was id order, so seq = id keeps them valid.
-- The chain checks' and purges' anchors gain the chain position beside the row id.

ALTER TABLE audit.events
    ADD COLUMN seq bigint,
    ALTER COLUMN prev_hash DROP NOT NULL,
    ALTER COLUMN row_hash DROP NOT NULL;
ALTER TABLE audit.events DISABLE TRIGGER events_redaction_only;
UPDATE audit.events SET seq = id;
ALTER TABLE audit.events ENABLE TRIGGER events_redaction_only;
ALTER TABLE audit.events
    ADD CONSTRAINT events_sealed_whole
    CHECK ((seq IS NULL) = (row_hash IS NULL) AND (seq IS NULL) = (prev_hash IS NULL));
CREATE UNIQUE INDEX events_seq_key ON audit.events (seq);
-- What the sealer reads next, oldest first.
CREATE INDEX events_unsealed ON audit.events (id) WHERE seq IS NULL;

ALTER TABLE audit.chain_checks ADD COLUMN head_seq bigint;
ALTER TABLE audit.chain_checks DISABLE TRIGGER chain_checks_append_only;
UPDATE audit.chain_checks SET head_seq = head_id;
ALTER TABLE audit.chain_checks ENABLE TRIGGER chain_checks_append_only;
ALTER TABLE audit.chain_checks ADD CHECK ((head_id IS NULL) = (head_seq IS NULL));

ALTER TABLE audit.purges ADD COLUMN last_seq bigint;
ALTER TABLE audit.purges DISABLE TRIGGER purges_append_only;
UPDATE audit.purges SET last_seq = last_id;
ALTER TABLE audit.purges ENABLE TRIGGER purges_append_only;
ALTER TABLE audit.purges ALTER COLUMN last_seq SET NOT NULL;

-- As before (a redaction, or a purge's DELETE), plus sealing: an unsealed row gains its seq
-- and hashes, and nothing else about it changes.
CREATE OR REPLACE FUNCTION audit.refuse_changes() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_LEVEL = 'ROW' AND TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'events' THEN
        IF NEW.ip IS NULL AND NEW.user_agent IS NULL AND NEW.subject_email IS NULL
           AND NEW.personal_salt IS NULL
           AND to_jsonb(NEW) - ARRAY['ip', 'user_agent', 'subject_email', 'personal_salt']
             = to_jsonb(OLD) - ARRAY['ip', 'user_agent', 'subject_email', 'personal_salt']
        THEN
            RETURN NEW;
        END IF;
        IF OLD.seq IS NULL AND NEW.seq IS NOT NULL
           AND to_jsonb(NEW) - ARRAY['seq', 'prev_hash', 'row_hash']
             = to_jsonb(OLD) - ARRAY['seq', 'prev_hash', 'row_hash']
        THEN
            RETURN NEW;
        END IF;
    END IF;
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'events' AND current_setting('audit.purging', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit.% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING HINT = 'the only permitted changes are sealing an unsealed row and redacting personal fields (all of them and the salt set to NULL)';
END;
$$;

-- Removes the chain's prefix through chain position `through_seq` and records its anchor,
-- under the sealer's lock, so no batch is being chained meanwhile. Unsealed rows stay.
DROP FUNCTION audit.purge_through(bigint, timestamptz);
CREATE FUNCTION audit.purge_through(through_seq bigint, older_than timestamptz) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    anchor_id bigint;
    anchor bytea;
    purged bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(280603412820);
    SELECT id, row_hash INTO anchor_id, anchor FROM audit.events WHERE seq = through_seq;
    IF anchor IS NULL THEN
        RETURN 0;
    END IF;
    PERFORM set_config('audit.purging', 'on', true);
    DELETE FROM audit.events WHERE seq <= through_seq;
    GET DIAGNOSTICS purged = ROW_COUNT;
    PERFORM set_config('audit.purging', 'off', true);
    INSERT INTO audit.purges (older_than, rows_purged, last_id, last_seq, last_hash)
        VALUES (older_than, purged, anchor_id, through_seq, anchor);
    RETURN purged;
END;
$$;

-- Purges the sealed rows older than `keep_days` days, refusing fewer than five years. Rows
-- are sealed within moments of their commit, so the chain's old rows are its prefix, give
-- or take the last moments before the cutoff.
CREATE OR REPLACE FUNCTION audit.purge(keep_days integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    cutoff timestamptz;
    through bigint;
BEGIN
    IF keep_days < 1825 THEN
        RAISE EXCEPTION 'audit rows are kept at least 1825 days (five years of AML record keeping), not %', keep_days;
    END IF;
    cutoff := now() - make_interval(days => keep_days);
    SELECT max(seq) INTO through FROM audit.events WHERE occurred_at < cutoff;
    IF through IS NULL THEN
        RETURN 0;
    END IF;
    RETURN audit.purge_through(through, cutoff);
END;
$$;

REVOKE ALL ON FUNCTION audit.purge_through(bigint, timestamptz) FROM PUBLIC;

-- The application seals (the trigger above holds it to sealing unsealed rows); it no
-- longer draws ids itself, the column default does.
GRANT UPDATE (seq, prev_hash, row_hash) ON audit.events TO saleonix_app;
