-- Roles: staff permissions per module, and invitations (of staff by an administrator, of
-- team members by a merchant's owner or admin), which reuse the single-use account tokens.

CREATE TYPE staff_module AS ENUM (
    'merchants', 'payments', 'refunds', 'reconciliation', 'risk', 'audit', 'support', 'settings'
);
CREATE TYPE permission_level AS ENUM ('view', 'act');

-- One row per module a staff member holds; `act` includes `view`. Platform administrators
-- hold every module by their kind and have no rows here.
CREATE TABLE staff_permissions (
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    module     staff_module NOT NULL,
    level      permission_level NOT NULL,
    granted_by uuid REFERENCES users (id) ON DELETE SET NULL,
    granted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, module)
);

-- Only staff hold module permissions.
CREATE FUNCTION staff_permissions_only_for_staff() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT kind FROM users WHERE id = NEW.user_id) IS DISTINCT FROM 'staff' THEN
        RAISE EXCEPTION 'module permissions belong to staff users only';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER staff_permissions_only_for_staff
    BEFORE INSERT OR UPDATE ON staff_permissions
    FOR EACH ROW EXECUTE FUNCTION staff_permissions_only_for_staff();

-- An invitation link sets the invitee's password and confirms their address at once.
ALTER TYPE account_token_purpose ADD VALUE 'accept_invitation';
