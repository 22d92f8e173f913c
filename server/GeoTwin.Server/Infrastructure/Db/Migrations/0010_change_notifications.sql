-- Every committed change to a mapped table tells listening GeoTwin nodes which table changed, so
-- they drop cached tiles built from it. Statement-level: a million-row import sends one message, and
-- PostgreSQL folds identical messages of one transaction into one, delivered at commit.
CREATE FUNCTION notify_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('geotwin_data_changed', TG_TABLE_NAME);
    RETURN NULL;
END $$;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['jurisdictions', 'addresses', 'houses', 'organizations', 'cameras', 'roads', 'incidents', 'police_units'] LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON %I
                        FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed()', t || '_notify', t);
    END LOOP;
END $$;
