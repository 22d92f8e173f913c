-- Incidents (接警 -> 派警 -> 处警) and their append-only event trail.
CREATE TABLE incidents (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code               text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_-]{1,40}$'),
    category           text NOT NULL CHECK (category IN ('robbery', 'snatching', 'theft', 'burglary', 'fight', 'traffic_accident',
                                                         'fire', 'missing_person', 'medical', 'fraud', 'disturbance', 'other')),
    -- 1 most urgent .. 4 least
    priority           smallint NOT NULL DEFAULT 3 CHECK (priority BETWEEN 1 AND 4),
    description        text CHECK (length(description) <= 4000),
    location           geometry(Point, 4326) NOT NULL,
    address_id         bigint REFERENCES addresses (id),
    status             text NOT NULL DEFAULT 'new'
                       CHECK (status IN ('new', 'dispatched', 'on_scene', 'closed', 'cancelled', 'merged')),
    received_at        timestamptz NOT NULL DEFAULT now(),
    first_dispatch_at  timestamptz,
    first_arrival_at   timestamptz,
    closed_at          timestamptz,
    disposition        text CHECK (length(disposition) <= 2000),
    merged_into        bigint REFERENCES incidents (id),
    source             text NOT NULL DEFAULT 'manual' CHECK (source IN ('manual', 'call_platform', 'import', 'demo')),
    jurisdiction_id    bigint NOT NULL REFERENCES jurisdictions (id),
    jurisdiction_path  ltree NOT NULL,
    community_id       bigint REFERENCES jurisdictions (id),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'merged') = (merged_into IS NOT NULL))
);
CREATE INDEX incidents_location_gist ON incidents USING gist (location);
CREATE INDEX incidents_jurisdiction_gist ON incidents USING gist (jurisdiction_path);
CREATE INDEX incidents_received ON incidents (received_at);
CREATE INDEX incidents_open ON incidents (category, received_at) WHERE status IN ('new', 'dispatched', 'on_scene');
CREATE TRIGGER incidents_scope BEFORE INSERT OR UPDATE OF jurisdiction_id ON incidents
    FOR EACH ROW EXECUTE FUNCTION set_jurisdiction_path();
CREATE TRIGGER incidents_touch BEFORE UPDATE ON incidents FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- The caller's phone is personal data.
CREATE TABLE incident_callers (
    incident_id   bigint PRIMARY KEY REFERENCES incidents (id),
    caller_phone  text CHECK (caller_phone ~ '^\+?[0-9 -]{3,20}$'),
    caller_name   text CHECK (length(caller_name) <= 100)
);

CREATE TABLE incident_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id  bigint NOT NULL REFERENCES incidents (id),
    at           timestamptz NOT NULL DEFAULT now(),
    actor        text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('intake', 'merge_offer', 'merge', 'dispatch', 'en_route', 'arrival',
                                               'reassign', 'unit_released', 'cancel', 'close', 'archive', 'note')),
    unit_id      bigint REFERENCES police_units (id),
    details      jsonb
);
CREATE INDEX incident_events_incident ON incident_events (incident_id, at);
CREATE TRIGGER incident_events_append_only BEFORE UPDATE OR DELETE ON incident_events
    FOR EACH ROW EXECUTE FUNCTION forbid_change();
CREATE TRIGGER incident_events_no_truncate BEFORE TRUNCATE ON incident_events
    FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();
