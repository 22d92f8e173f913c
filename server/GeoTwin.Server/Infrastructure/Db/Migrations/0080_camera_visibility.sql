-- What each camera really sees (Coverage/Visibility): its wedge less what buildings hide, as computed by
-- GeoTwin's engine. Scoped like the camera it belongs to.
CREATE TABLE camera_visibility (
    camera_id          text PRIMARY KEY REFERENCES cameras (id) ON DELETE CASCADE,
    jurisdiction_path  ltree NOT NULL,
    geom               geometry(MultiPolygon, 4326) NOT NULL,
    area_m2            double precision NOT NULL CHECK (area_m2 >= 0),
    computed_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX camera_visibility_geom_gist ON camera_visibility USING gist (geom);
CREATE INDEX camera_visibility_jurisdiction_gist ON camera_visibility USING gist (jurisdiction_path);
GRANT SELECT ON camera_visibility TO geotwin_scoped;
ALTER TABLE camera_visibility ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON camera_visibility TO geotwin_scoped USING (jurisdiction_path <@ geotwin_scope());

-- What changed since visibility was last computed, queued by statement triggers so a change from anywhere
-- (the API, an import, the demo, psql) is seen: the cameras added or changed, and the boxes of houses added,
-- changed or deleted (before and after). The coverage worker takes the queue in one transaction and
-- recomputes only the cameras a change touches.
CREATE TABLE coverage_changes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    camera_ids  text[],
    area        geometry(Geometry, 4326),
    queued_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (camera_ids IS NOT NULL OR area IS NOT NULL)
);

CREATE FUNCTION coverage_cameras_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO coverage_changes (camera_ids) SELECT array_agg(id) FROM new_rows HAVING count(*) > 0;
    ELSE
        -- only what the engine reads: a new status or name leaves the polygon as it is
        INSERT INTO coverage_changes (camera_ids)
        SELECT array_agg(n.id) FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.location, n.mount_height_m, n.heading_deg, n.fov_deg, n.range_m, n.kind, n.jurisdiction_id)
              IS DISTINCT FROM (o.location, o.mount_height_m, o.heading_deg, o.fov_deg, o.range_m, o.kind, o.jurisdiction_id)
        HAVING count(*) > 0;
    END IF;
    PERFORM pg_notify('geotwin_coverage', '');
    RETURN NULL;
END $$;
CREATE TRIGGER cameras_coverage_insert AFTER INSERT ON cameras REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION coverage_cameras_changed();
CREATE TRIGGER cameras_coverage_update AFTER UPDATE ON cameras REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION coverage_cameras_changed();

-- One box a statement: a bulk import of houses queues its extent, not a row a house.
CREATE FUNCTION coverage_houses_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO coverage_changes (area) SELECT ST_Envelope(ST_Collect(footprint)) FROM new_rows HAVING count(*) > 0;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO coverage_changes (area) SELECT ST_Envelope(ST_Collect(footprint)) FROM old_rows HAVING count(*) > 0;
    ELSE
        INSERT INTO coverage_changes (area)
        SELECT ST_Envelope(ST_Collect(ST_Collect(o.footprint, n.footprint))) FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.footprint, n.base_height_m, n.roof_height_m) IS DISTINCT FROM (o.footprint, o.base_height_m, o.roof_height_m)
        HAVING count(*) > 0;
    END IF;
    PERFORM pg_notify('geotwin_coverage', '');
    RETURN NULL;
END $$;
CREATE TRIGGER houses_coverage_insert AFTER INSERT ON houses REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION coverage_houses_changed();
CREATE TRIGGER houses_coverage_update AFTER UPDATE ON houses REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION coverage_houses_changed();
CREATE TRIGGER houses_coverage_delete AFTER DELETE ON houses REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION coverage_houses_changed();
