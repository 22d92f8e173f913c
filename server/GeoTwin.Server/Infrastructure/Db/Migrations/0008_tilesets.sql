-- 3D tilesets GeoTwin serves: built from houses, converted from oblique photogrammetry, or hosted as given.
CREATE TABLE tilesets (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    title         text CHECK (length(title) <= 200),
    kind          text NOT NULL CHECK (kind IN ('houses', 'photogrammetry', 'hosted')),
    -- relative to the server's tileset folder; never an absolute path taken from a request
    storage_path  text NOT NULL CHECK (storage_path !~ '(^/|\.\.)'),
    source_srs    text,
    bounds        geometry(Polygon, 4326),
    center        geometry(PointZ, 4326),
    version       text NOT NULL DEFAULT '1',
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tilesets_bounds_gist ON tilesets USING gist (bounds);
CREATE TRIGGER tilesets_touch BEFORE UPDATE ON tilesets FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
