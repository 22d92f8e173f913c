-- Candidate camera sites a planner imports (lamp posts, poles, walls the bureau may mount on): placement
-- considers them beside, or instead of, the junctions and points along streets it makes itself. Scoped like
-- cameras; a site carries no personal data.
CREATE TABLE camera_sites (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name               text CHECK (length(name) <= 200),
    location           geometry(Point, 4326) NOT NULL,
    -- which import it came with, so a planner can replace one list without touching another
    batch              text NOT NULL CHECK (length(batch) BETWEEN 1 AND 64),
    imported_by        text NOT NULL,
    jurisdiction_id    bigint NOT NULL REFERENCES jurisdictions (id),
    jurisdiction_path  ltree NOT NULL,
    imported_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX camera_sites_location_gist ON camera_sites USING gist (location);
CREATE INDEX camera_sites_jurisdiction_gist ON camera_sites USING gist (jurisdiction_path);
CREATE TRIGGER camera_sites_scope BEFORE INSERT OR UPDATE OF jurisdiction_id ON camera_sites
    FOR EACH ROW EXECUTE FUNCTION set_jurisdiction_path();
GRANT SELECT ON camera_sites TO geotwin_scoped;
ALTER TABLE camera_sites ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON camera_sites TO geotwin_scoped USING (jurisdiction_path <@ geotwin_scope());
