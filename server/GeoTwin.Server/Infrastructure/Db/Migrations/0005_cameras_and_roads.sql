-- GB/T 28181 device id: 8-digit centre code, 2-digit industry, 3-digit type, 1-digit network,
-- 6-digit serial (shared/DOMAIN.md). A camera row must carry a camera type: 131 camera or 132 IP
-- camera; recorders (111 DVR, 118 NVR) and servers (200...) are other devices, not cameras.
CREATE FUNCTION is_gb28181_camera_id(id text) RETURNS boolean
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN id ~ '^[0-9]{20}$' AND substr(id, 11, 3) IN ('131', '132');

CREATE TABLE cameras (
    id                 text PRIMARY KEY CONSTRAINT cameras_gb28181_id CHECK (is_gb28181_camera_id(id)),
    name               text CHECK (length(name) <= 200),
    location           geometry(Point, 4326) NOT NULL,
    mount_height_m     real NOT NULL DEFAULT 6 CHECK (mount_height_m BETWEEN 0 AND 300),
    -- compass bearing of the optical axis; NULL for a 360-degree dome with no fixed direction
    heading_deg        real CHECK (heading_deg >= 0 AND heading_deg < 360),
    fov_deg            real NOT NULL DEFAULT 60 CHECK (fov_deg > 0 AND fov_deg <= 360),
    range_m            real NOT NULL DEFAULT 50 CHECK (range_m > 0 AND range_m <= 5000),
    tilt_deg           real NOT NULL DEFAULT -15 CHECK (tilt_deg BETWEEN -90 AND 90),
    kind               text NOT NULL DEFAULT 'fixed' CHECK (kind IN ('fixed', 'dome', 'ptz')),
    owner              text NOT NULL DEFAULT 'government' CHECK (owner IN ('government', 'social')),
    status             text NOT NULL DEFAULT 'online' CHECK (status IN ('online', 'offline', 'fault')),
    source_ref         text UNIQUE,
    jurisdiction_id    bigint NOT NULL REFERENCES jurisdictions (id),
    jurisdiction_path  ltree NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cameras_location_gist ON cameras USING gist (location);
CREATE INDEX cameras_jurisdiction_gist ON cameras USING gist (jurisdiction_path);
CREATE TRIGGER cameras_scope BEFORE INSERT OR UPDATE OF jurisdiction_id ON cameras
    FOR EACH ROW EXECUTE FUNCTION set_jurisdiction_path();
CREATE TRIGGER cameras_touch BEFORE UPDATE ON cameras FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Roads are not personal and not scoped: dispatch routes across station borders.
-- cost / reverse_cost are travel seconds in pgRouting's convention (negative = not allowed),
-- so pgRouting and GeoTwin's in-memory graph answer the same question from the same columns.
CREATE TABLE roads (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source_ref    text UNIQUE,
    name          text CHECK (length(name) <= 200),
    road_class    text NOT NULL CHECK (road_class IN ('motorway', 'trunk', 'primary', 'secondary', 'tertiary',
                                                      'residential', 'service', 'living_street', 'pedestrian', 'track', 'other')),
    speed_kmh     real NOT NULL CHECK (speed_kmh > 0 AND speed_kmh <= 150),
    -- 1: only in the drawing direction, -1: only against it, 0: both ways
    oneway        smallint NOT NULL DEFAULT 0 CHECK (oneway IN (-1, 0, 1)),
    geom          geometry(LineString, 4326) NOT NULL CHECK (ST_NPoints(geom) >= 2),
    source        bigint,
    target        bigint,
    length_m      double precision GENERATED ALWAYS AS (ST_Length(geom::geography)) STORED,
    cost          double precision GENERATED ALWAYS AS
                  (CASE WHEN oneway = -1 THEN -1 ELSE ST_Length(geom::geography) / (speed_kmh / 3.6) END) STORED,
    reverse_cost  double precision GENERATED ALWAYS AS
                  (CASE WHEN oneway = 1 THEN -1 ELSE ST_Length(geom::geography) / (speed_kmh / 3.6) END) STORED,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX roads_geom_gist ON roads USING gist (geom);
CREATE INDEX roads_source ON roads (source);
CREATE INDEX roads_target ON roads (target);
CREATE TRIGGER roads_touch BEFORE UPDATE ON roads FOR EACH ROW EXECUTE FUNCTION touch_updated_at();
