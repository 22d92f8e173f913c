-- The four-colour warning (Warnings slice): places and patrol zones in the jurisdiction tree, their responsible
-- people (personal data), which place and patrol zone each counted incident belongs to, and per place and calendar
-- month the count, the level and every change of level. Kinds and levels are vocabulary.json's warnings section
-- (VocabularyTests holds these CHECKs to it); thresholds and the assignment order are the server's configuration.

CREATE TABLE warning_places (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code               text NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 60 AND code !~ '[^A-Za-z0-9_-]'),
    kind               text NOT NULL CHECK (kind IN ('compound', 'village', 'unit_premises', 'patrol_zone')),
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    name_en            text CHECK (length(name_en) <= 200),
    boundary           geometry(MultiPolygon, 4326) NOT NULL CHECK (ST_IsValid(boundary) AND NOT ST_IsEmpty(boundary)),
    -- A patrol zone runs along a street: an incident on that street just outside the zone's polygon still belongs to it.
    street             geometry(MultiLineString, 4326) CHECK (street IS NULL OR kind = 'patrol_zone'),
    -- "The smallest place that contains it": compared in square metres, not square degrees.
    area_m2            double precision GENERATED ALWAYS AS (ST_Area(boundary::geography)) STORED,
    source             text NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'import', 'demo')),
    jurisdiction_id    bigint NOT NULL REFERENCES jurisdictions (id),
    jurisdiction_path  ltree NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX warning_places_boundary_gist ON warning_places USING gist (boundary);
CREATE INDEX warning_places_street_gist ON warning_places USING gist (street) WHERE street IS NOT NULL;
CREATE INDEX warning_places_jurisdiction_gist ON warning_places USING gist (jurisdiction_path);
CREATE TRIGGER warning_places_scope BEFORE INSERT OR UPDATE OF jurisdiction_id ON warning_places
    FOR EACH ROW EXECUTE FUNCTION set_jurisdiction_path();
CREATE TRIGGER warning_places_touch BEFORE UPDATE ON warning_places FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Who gets the texts and the instructions. Names and phones are personal data: only geotwin_personal reads them.
CREATE TABLE warning_place_people (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    place_id   bigint NOT NULL REFERENCES warning_places (id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('community_officer', 'station_leader', 'property_manager', 'security_chief',
                                             'village_head', 'patrol_leader')),
    full_name  text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 100),
    phone      text NOT NULL CHECK (phone ~ '^\+?[0-9 -]{5,20}$'),
    UNIQUE (place_id, role, phone)
);

-- One row a counted incident: its own place (the smallest containing one, by kind order) and its patrol zone, and
-- the calendar month (on the bureau's clock) it counts in. Either may be null: nothing contains it.
CREATE TABLE warning_incidents (
    incident_id  bigint PRIMARY KEY REFERENCES incidents (id) ON DELETE CASCADE,
    place_id     bigint REFERENCES warning_places (id) ON DELETE SET NULL,
    zone_id      bigint REFERENCES warning_places (id) ON DELETE SET NULL,
    month        date NOT NULL CHECK (extract(day FROM month) = 1),
    assigned_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX warning_incidents_place ON warning_incidents (place_id, month) WHERE place_id IS NOT NULL;
CREATE INDEX warning_incidents_zone ON warning_incidents (zone_id, month) WHERE zone_id IS NOT NULL;
CREATE INDEX warning_incidents_month ON warning_incidents (month);

-- The current count and level of a place in a month ("none" rows are kept once a place had a level, so a drop is seen).
CREATE TABLE warning_levels (
    place_id    bigint NOT NULL REFERENCES warning_places (id) ON DELETE CASCADE,
    month       date NOT NULL CHECK (extract(day FROM month) = 1),
    count       integer NOT NULL CHECK (count >= 0),
    level       text NOT NULL CHECK (level IN ('none', 'yellow', 'orange', 'red', 'black')),
    near_next   boolean NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (place_id, month)
);
CREATE INDEX warning_levels_month ON warning_levels (month, level);

-- Every change of level or of the "one short" flag, with its time: append-only.
CREATE TABLE warning_level_changes (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    place_id     bigint NOT NULL REFERENCES warning_places (id) ON DELETE CASCADE,
    month        date NOT NULL,
    from_level   text NOT NULL,
    to_level     text NOT NULL CHECK (to_level IN ('none', 'yellow', 'orange', 'red', 'black')),
    count        integer NOT NULL,
    near_next    boolean NOT NULL,
    at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX warning_level_changes_place ON warning_level_changes (place_id, month, at);
CREATE TRIGGER warning_level_changes_append_only BEFORE UPDATE ON warning_level_changes
    FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- Versions for the tile cache and the viewer: a place drawn or a level changed.
INSERT INTO data_versions (table_name) VALUES ('warning_places'), ('warning_levels') ON CONFLICT (table_name) DO NOTHING;
CREATE TRIGGER warning_places_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON warning_places
    FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
CREATE TRIGGER warning_levels_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON warning_levels
    FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();

-- Scoping as every other table (0009): places by their own path, the rest through their place or incident.
GRANT SELECT ON warning_places, warning_incidents, warning_levels, warning_level_changes TO geotwin_scoped;
GRANT SELECT ON warning_place_people TO geotwin_personal;
ALTER TABLE warning_places ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON warning_places TO geotwin_scoped USING (jurisdiction_path <@ geotwin_scope());
ALTER TABLE warning_place_people ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON warning_place_people TO geotwin_scoped USING (EXISTS (SELECT 1 FROM warning_places p WHERE p.id = place_id));
ALTER TABLE warning_levels ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON warning_levels TO geotwin_scoped USING (EXISTS (SELECT 1 FROM warning_places p WHERE p.id = place_id));
ALTER TABLE warning_level_changes ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON warning_level_changes TO geotwin_scoped USING (EXISTS (SELECT 1 FROM warning_places p WHERE p.id = place_id));
ALTER TABLE warning_incidents ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON warning_incidents TO geotwin_scoped USING (EXISTS (SELECT 1 FROM incidents i WHERE i.id = incident_id));
