-- A version a table, raised in the writer's own transaction: a reader that sees the new rows also sees
-- the new version, so a cache keyed by versions can never serve what a commit replaced (a NOTIFY
-- arrives a moment after the commit, which under load let a stale tile slip through).
-- police_units leaves the list: live positions update it constantly and are pushed, not tiled.
CREATE TABLE data_versions (
    table_name  text PRIMARY KEY,
    version     bigint NOT NULL DEFAULT 0
);
INSERT INTO data_versions (table_name)
SELECT unnest(ARRAY['jurisdictions', 'addresses', 'houses', 'organizations', 'cameras', 'roads', 'incidents', 'users']);

CREATE OR REPLACE FUNCTION notify_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_versions SET version = version + 1 WHERE table_name = TG_TABLE_NAME;
    PERFORM pg_notify('geotwin_data_changed', TG_TABLE_NAME);
    RETURN NULL;
END $$;

DROP TRIGGER police_units_notify ON police_units;
