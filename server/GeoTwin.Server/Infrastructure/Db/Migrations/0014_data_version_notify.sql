-- Every bump of a data version (by the statement triggers of 0010-0012, or by hand) tells listening GeoTwin
-- nodes the new number, so they can keep the versions in memory (Infrastructure/Db/DataVersions.cs).
-- Delivered at commit, in commit order; the number, not just the table, so a node's in-memory value is
-- the committed version itself and a cache key means the same whether it came from memory or a read.
CREATE FUNCTION notify_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('geotwin_versions', NEW.table_name || '=' || NEW.version);
    RETURN NULL;
END $$;

CREATE TRIGGER data_versions_notify AFTER INSERT OR UPDATE ON data_versions
    FOR EACH ROW EXECUTE FUNCTION notify_data_version();
