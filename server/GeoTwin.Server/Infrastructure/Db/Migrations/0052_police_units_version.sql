-- Dispatch ranks the units LiveUnits holds in memory, and LiveSync polled only new units and status changes, so a
-- unit's kind, call sign, device, capabilities or station changed by an import or psql never reached a
-- recommendation. police_units gets a data version again (0012 took it out because positions are written many times
-- a second): raised only by writes of the columns LiveUnits keeps that are not followed otherwise. A fix (last_*)
-- and a status change (status_changed_at, which LiveSync follows) do not move it. LiveSync reads the units again
-- when it moves.
INSERT INTO data_versions (table_name) VALUES ('police_units') ON CONFLICT (table_name) DO NOTHING;
CREATE TRIGGER police_units_version
    AFTER INSERT OR DELETE OR UPDATE OF call_sign, kind, device_id, capabilities, jurisdiction_id ON police_units
    FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
CREATE TRIGGER police_units_version_truncate AFTER TRUNCATE ON police_units
    FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
