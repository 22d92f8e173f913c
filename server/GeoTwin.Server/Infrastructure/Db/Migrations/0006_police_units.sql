-- Patrol units, their status trail and their position history (JT/T 808 or app fixes).
CREATE TABLE police_units (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    call_sign          text NOT NULL UNIQUE CHECK (length(call_sign) BETWEEN 1 AND 40),
    kind               text NOT NULL CHECK (kind IN ('car', 'foot', 'motorbike', 'boat')),
    device_id          text UNIQUE CHECK (device_id ~ '^[A-Za-z0-9_-]{1,40}$'),
    capabilities       text[] NOT NULL DEFAULT '{}',
    status             text NOT NULL DEFAULT 'available'
                       CHECK (status IN ('available', 'dispatched', 'en_route', 'on_scene', 'busy', 'off_duty', 'out_of_service')),
    status_changed_at  timestamptz NOT NULL DEFAULT now(),
    status_changed_by  text,
    last_fix_at        timestamptz,
    last_position      geometry(Point, 4326),
    last_speed_kmh     real CHECK (last_speed_kmh >= 0),
    last_heading_deg   real CHECK (last_heading_deg >= 0 AND last_heading_deg < 360),
    last_accuracy_m    real CHECK (last_accuracy_m >= 0),
    -- the unit's station
    jurisdiction_id    bigint NOT NULL REFERENCES jurisdictions (id),
    jurisdiction_path  ltree NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CHECK ((last_fix_at IS NULL) = (last_position IS NULL))
);
CREATE INDEX police_units_position_gist ON police_units USING gist (last_position);
CREATE INDEX police_units_jurisdiction_gist ON police_units USING gist (jurisdiction_path);
CREATE TRIGGER police_units_scope BEFORE INSERT OR UPDATE OF jurisdiction_id ON police_units
    FOR EACH ROW EXECUTE FUNCTION set_jurisdiction_path();

CREATE TABLE unit_status_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    unit_id      bigint NOT NULL REFERENCES police_units (id),
    from_status  text NOT NULL,
    to_status    text NOT NULL,
    changed_by   text NOT NULL,
    changed_at   timestamptz NOT NULL DEFAULT now(),
    incident_id  bigint,
    reason       text CHECK (length(reason) <= 500)
);
CREATE INDEX unit_status_events_unit ON unit_status_events (unit_id, changed_at);
CREATE TRIGGER unit_status_events_append_only BEFORE UPDATE OR DELETE ON unit_status_events
    FOR EACH ROW EXECUTE FUNCTION forbid_change();

-- One partition a day so old days can be detached and archived whole. The default partition
-- takes any fix whose day has no partition yet, so an accepted fix is never refused for that.
-- Primary key (unit_id, fix_time) makes a device's retried batch idempotent.
CREATE TABLE unit_positions (
    unit_id      bigint NOT NULL,
    fix_time     timestamptz NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    position     geometry(Point, 4326) NOT NULL,
    speed_kmh    real,
    heading_deg  real,
    accuracy_m   real,
    PRIMARY KEY (unit_id, fix_time)
) PARTITION BY RANGE (fix_time);
CREATE TABLE unit_positions_default PARTITION OF unit_positions DEFAULT;

-- Creates the day's partition (UTC day) if missing; the Live slice calls it ahead of time.
CREATE FUNCTION ensure_unit_positions_partition(day date) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    part text := 'unit_positions_' || to_char(day, 'YYYYMMDD');
BEGIN
    IF to_regclass(part) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF unit_positions FOR VALUES FROM (%L) TO (%L)',
                       part, day::timestamp AT TIME ZONE 'UTC', (day + 1)::timestamp AT TIME ZONE 'UTC');
    END IF;
    RETURN part;
END $$;
