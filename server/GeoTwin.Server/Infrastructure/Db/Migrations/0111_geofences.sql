-- Geofences (issue #21): key areas, patrol zones and ad-hoc circles or polygons with their rules, and the events the
-- ingest raised on them. The rules are evaluated in memory (Live/Geofences/GeofenceEngine); these tables are what
-- the engine is loaded from and what the alerts feed lists. Scoped like every other row.
CREATE TABLE geofences (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    area               geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(area) AND NOT ST_IsEmpty(area)),
    rules              text[] NOT NULL CHECK (cardinality(rules) >= 1
                           AND rules <@ ARRAY['enter', 'exit', 'inside', 'outside', 'cross', 'dwell']),
    margin_m           double precision NOT NULL DEFAULT 0 CHECK (margin_m BETWEEN 0 AND 1000),
    dwell_minutes      integer CHECK (dwell_minutes BETWEEN 1 AND 1440),
    unit_ids           bigint[],
    unit_kinds         text[],
    active_hours       integer[] CHECK (active_hours <@ ARRAY[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23]),
    jurisdiction_id    bigint NOT NULL REFERENCES jurisdictions (id),
    jurisdiction_path  ltree NOT NULL,
    created_by         text NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (('dwell' = ANY (rules)) = (dwell_minutes IS NOT NULL))
);
CREATE INDEX geofences_jurisdiction_gist ON geofences USING gist (jurisdiction_path);
CREATE TRIGGER geofences_scope BEFORE INSERT OR UPDATE OF jurisdiction_id ON geofences
    FOR EACH ROW EXECUTE FUNCTION set_jurisdiction_path();
CREATE TRIGGER geofences_touch BEFORE UPDATE ON geofences FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- The events keep the fence's and unit's path at the time, so a viewer sees an event of a fence in scope even after
-- the fence is deleted (the row stays: it is what happened).
CREATE TABLE geofence_events (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fence_id           bigint NOT NULL,
    fence_name         text NOT NULL,
    unit_id            bigint NOT NULL,
    rule               text NOT NULL CHECK (rule IN ('enter', 'exit', 'inside', 'outside', 'cross', 'dwell')),
    at                 timestamptz NOT NULL,
    location           geometry(Point, 4326) NOT NULL,
    jurisdiction_path  ltree NOT NULL,
    recorded_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX geofence_events_jurisdiction_gist ON geofence_events USING gist (jurisdiction_path);
CREATE INDEX geofence_events_at ON geofence_events (at DESC);

GRANT SELECT, INSERT, UPDATE, DELETE ON geofences TO geotwin_scoped;
GRANT SELECT ON geofence_events TO geotwin_scoped;
ALTER TABLE geofences ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON geofences TO geotwin_scoped USING (jurisdiction_path <@ geotwin_scope());
ALTER TABLE geofence_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON geofence_events TO geotwin_scoped USING (jurisdiction_path <@ geotwin_scope());
GRANT USAGE ON SEQUENCE geofences_id_seq TO geotwin_scoped;
