-- Crowd counts (issue #21): counting areas (beaches, squares, scenic spots, piers) with their capacity and the
-- thresholds of each period of the day, their sensors, the counts the ingest stored, and the level changes (yellow,
-- orange, red crowd warnings and the return to normal) the ingest raised. Scoped like every other row.

-- Counters post with a token of their own purpose, not a position_ingest one.
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_purpose_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_purpose_check
    CHECK (purpose IN ('position_ingest', 'incident_intake', 'import', 'crowd_ingest'));

-- thresholds: the day's periods, [{"from": minutes after local midnight, "yellow", "orange", "red": fractions of
-- capacity}], first from 0, in order; checked by Live/Crowds/CrowdThresholds before they are stored. level: the
-- area's current level (what a new count is compared with, so only changes become events).
CREATE TABLE crowd_areas (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    area               geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(area) AND NOT ST_IsEmpty(area)),
    capacity           integer NOT NULL CHECK (capacity BETWEEN 1 AND 10000000),
    thresholds         jsonb NOT NULL CHECK (jsonb_typeof(thresholds) = 'array' AND jsonb_array_length(thresholds) BETWEEN 1 AND 48),
    level              text NOT NULL DEFAULT 'normal' CHECK (level IN ('normal', 'yellow', 'orange', 'red')),
    level_since        timestamptz,
    jurisdiction_id    bigint NOT NULL REFERENCES jurisdictions (id),
    jurisdiction_path  ltree NOT NULL,
    created_by         text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX crowd_areas_jurisdiction_gist ON crowd_areas USING gist (jurisdiction_path);
CREATE TRIGGER crowd_areas_scope BEFORE INSERT OR UPDATE OF jurisdiction_id ON crowd_areas
    FOR EACH ROW EXECUTE FUNCTION set_jurisdiction_path();
CREATE TRIGGER crowd_areas_touch BEFORE UPDATE ON crowd_areas FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- A sensor (a gate counter, a camera's people count) reports for its area by its code; an area's count is the sum of
-- the latest count of each of its sources (each sensor, and counts posted for the area itself).
CREATE TABLE crowd_sensors (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code     text NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 64 AND code ~ '^[A-Za-z0-9_-]+$'),
    name     text CHECK (length(name) BETWEEN 1 AND 200),
    area_id  bigint NOT NULL REFERENCES crowd_areas (id) ON DELETE CASCADE
);
CREATE INDEX crowd_sensors_area ON crowd_sensors (area_id);

CREATE TABLE crowd_counts (
    area_id    bigint NOT NULL REFERENCES crowd_areas (id) ON DELETE CASCADE,
    sensor_id  bigint REFERENCES crowd_sensors (id) ON DELETE CASCADE,
    at         timestamptz NOT NULL,
    count      integer NOT NULL CHECK (count >= 0),
    entered    integer CHECK (entered >= 0),
    exited     integer CHECK (exited >= 0),
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX crowd_counts_area_at ON crowd_counts (area_id, at DESC);

-- Level changes only (not every count), with the area's path at the time.
CREATE TABLE crowd_events (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    area_id            bigint NOT NULL REFERENCES crowd_areas (id) ON DELETE CASCADE,
    area_name          text NOT NULL,
    level              text NOT NULL CHECK (level IN ('normal', 'yellow', 'orange', 'red')),
    previous_level     text NOT NULL,
    count              integer NOT NULL,
    capacity           integer NOT NULL,
    at                 timestamptz NOT NULL,
    jurisdiction_path  ltree NOT NULL,
    recorded_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX crowd_events_jurisdiction_gist ON crowd_events USING gist (jurisdiction_path);
CREATE INDEX crowd_events_at ON crowd_events (at DESC);

GRANT SELECT, INSERT ON crowd_areas TO geotwin_scoped;
GRANT SELECT, INSERT ON crowd_sensors TO geotwin_scoped;
GRANT SELECT ON crowd_counts, crowd_events TO geotwin_scoped;
GRANT USAGE ON SEQUENCE crowd_areas_id_seq, crowd_sensors_id_seq TO geotwin_scoped;
ALTER TABLE crowd_areas ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON crowd_areas TO geotwin_scoped USING (jurisdiction_path <@ geotwin_scope());
ALTER TABLE crowd_sensors ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON crowd_sensors TO geotwin_scoped
    USING (EXISTS (SELECT 1 FROM crowd_areas a WHERE a.id = area_id));
ALTER TABLE crowd_counts ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON crowd_counts TO geotwin_scoped
    USING (EXISTS (SELECT 1 FROM crowd_areas a WHERE a.id = area_id));
ALTER TABLE crowd_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON crowd_events TO geotwin_scoped USING (jurisdiction_path <@ geotwin_scope());
