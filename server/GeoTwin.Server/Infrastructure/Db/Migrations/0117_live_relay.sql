-- Several nodes, one live picture (issue #22). PostgreSQL already holds every fix and status; nodes hear what changed on
-- one channel, geotwin_live, and read the rows (Live/LiveRelay). Payloads are small wake-ups, never the data:
--   f:<seq>:<application_name>  a group of fixes was committed; its units' latest fixes carry fix_seq = <seq>
--   s:<unit id>:<application_name>  a unit's status changed (whoever changed it: a node, a dispatch function, psql)
--   g:<fence id>  a geofence was drawn, changed or deleted
-- application_name names the node ("GeoTwin <node id>"), so each node knows which changes it made itself (and pushed).

-- One number per committed group of fixes (PositionWriter takes one per transaction, not per row).
CREATE SEQUENCE unit_fix_seq;
-- No index: an index on a column every position write changes would end the HOT updates of 0021; the relay's read is
-- a scan of police_units (thousands of rows), coalesced over every wake-up that arrived meanwhile.
ALTER TABLE police_units ADD COLUMN fix_seq bigint;

CREATE FUNCTION notify_unit_status() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('geotwin_live', 's:' || NEW.id || ':' || coalesce(current_setting('application_name', true), ''));
    RETURN NULL;
END $$;
CREATE TRIGGER police_units_status_notify AFTER UPDATE OF status ON police_units
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION notify_unit_status();

CREATE FUNCTION notify_geofence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('geotwin_live', 'g:' || coalesce(NEW.id, OLD.id));
    RETURN NULL;
END $$;
CREATE TRIGGER geofences_notify AFTER INSERT OR UPDATE OR DELETE ON geofences
    FOR EACH ROW EXECUTE FUNCTION notify_geofence();
