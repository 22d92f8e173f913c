-- Named places a caller says where they are by (issue #20): beaches, squares, parks, harbours, landmarks. Not
-- organizations (nobody runs a beach) and not addresses (a beach has no door), but the search box and intake by name
-- need them; scoped like every other row, since the responsibility area that polices the place owns it.
CREATE TABLE places (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code               text NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 64 AND code ~ '^[A-Za-z0-9-]+$'),
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    kind               text NOT NULL CHECK (kind IN ('beach', 'square', 'park', 'harbour', 'landmark')),
    location           geometry(Point, 4326) NOT NULL,
    jurisdiction_id    bigint NOT NULL REFERENCES jurisdictions (id),
    jurisdiction_path  ltree NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX places_jurisdiction_gist ON places USING gist (jurisdiction_path);
CREATE INDEX places_name_trgm ON places USING gin (name gin_trgm_ops);
CREATE TRIGGER places_scope BEFORE INSERT OR UPDATE OF jurisdiction_id ON places
    FOR EACH ROW EXECUTE FUNCTION set_jurisdiction_path();
CREATE TRIGGER places_touch BEFORE UPDATE ON places FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

GRANT SELECT ON places TO geotwin_scoped;
ALTER TABLE places ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON places TO geotwin_scoped USING (jurisdiction_path <@ geotwin_scope());
