-- Retention of the audit trail. Rows older than the configured retention (never under five
-- years: anti-money-laundering record keeping) are purged from the start of the chain. Each
-- purge leaves an anchor, the id and hash of the last row it removed, where verification
-- then starts: a purged prefix is told apart from rows deleted by hand, which still break
-- the chain.

CREATE TABLE audit.purges (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    purged_at   timestamptz NOT NULL DEFAULT now(),
    older_than  timestamptz NOT NULL,
    rows_purged bigint NOT NULL CHECK (rows_purged > 0),
    last_id     bigint NOT NULL,
    last_hash   bytea NOT NULL CHECK (length(last_hash) = 32)
);
CREATE TRIGGER purges_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit.purges
    FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_changes();

-- As before, plus one exception: a DELETE on audit.events inside audit.purge_through, which
-- sets `audit.purging` for its own statement only. Grants keep the application's role from
-- deleting at all; for the owner, as before, the chain is what stands.
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
    END IF;
    IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'events' AND current_setting('audit.purging', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit.% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING HINT = 'the only permitted change is redacting personal fields (all of them and the salt set to NULL)';
END;
$$;

-- Removes the chain's prefix through `through_id` and records its anchor, under the chain's
-- advisory lock (the one platform::audit::record takes). Not for the application: it may
-- only call audit.purge, which holds to the five-year floor.
CREATE FUNCTION audit.purge_through(through_id bigint, older_than timestamptz) RETURNS bigint
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    anchor bytea;
    purged bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(280603412820);
    SELECT row_hash INTO anchor FROM audit.events WHERE id = through_id;
    IF anchor IS NULL THEN
        RETURN 0;
    END IF;
    PERFORM set_config('audit.purging', 'on', true);
    DELETE FROM audit.events WHERE id <= through_id;
    GET DIAGNOSTICS purged = ROW_COUNT;
    PERFORM set_config('audit.purging', 'off', true);
    INSERT INTO audit.purges (older_than, rows_purged, last_id, last_hash) VALUES (older_than, purged, through_id, anchor);
    RETURN purged;
END;
$$;

-- Purges the rows older than `keep_days` days, refusing fewer than five years. Rows take
-- their ids and times under one lock, so the old rows are a prefix of the chain.
CREATE FUNCTION audit.purge(keep_days integer) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    cutoff timestamptz;
    through bigint;
BEGIN
    IF keep_days < 1825 THEN
        RAISE EXCEPTION 'audit rows are kept at least 1825 days (five years of AML record keeping), not %', keep_days;
    END IF;
    cutoff := now() - make_interval(days => keep_days);
    SELECT max(id) INTO through FROM audit.events WHERE occurred_at < cutoff;
    IF through IS NULL THEN
        RETURN 0;
    END IF;
    RETURN audit.purge_through(through, cutoff);
END;
$$;

REVOKE ALL ON FUNCTION audit.purge_through(bigint, timestamptz) FROM PUBLIC;
REVOKE ALL ON FUNCTION audit.purge(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit.purge(integer) TO saleonix_app;
GRANT SELECT ON audit.purges TO saleonix_app;
