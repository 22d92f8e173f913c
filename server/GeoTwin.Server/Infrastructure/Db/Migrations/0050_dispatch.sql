-- Dispatch (issue #8): which unit is on which incident, and what request-time dispatch may write.
-- One row a unit a dispatch: the active assignment is the one not yet released. A unit has at most one
-- active assignment (a diversion releases the old one first, in the same transaction).
CREATE TABLE incident_units (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id    bigint NOT NULL REFERENCES incidents (id),
    unit_id        bigint NOT NULL REFERENCES police_units (id),
    dispatched_at  timestamptz NOT NULL DEFAULT now(),
    dispatched_by  text NOT NULL,
    eta_seconds    real CHECK (eta_seconds >= 0),
    arrived_at     timestamptz,
    arrival_how    text CHECK (arrival_how IN ('by_hand', 'position')),
    released_at    timestamptz,
    release_reason text CHECK (release_reason IN ('reassigned', 'diverted', 'cancelled', 'closed', 'merged'))
);
CREATE UNIQUE INDEX incident_units_one_active ON incident_units (unit_id) WHERE released_at IS NULL;
CREATE INDEX incident_units_incident ON incident_units (incident_id);
CREATE INDEX incident_units_en_route ON incident_units (incident_id) WHERE released_at IS NULL AND arrived_at IS NULL;

-- Dispatchers write in their own sessions, so row-level security keeps their writes inside their
-- jurisdiction exactly as it keeps their reads: an incident or unit outside the scope cannot be touched.
GRANT SELECT, INSERT, UPDATE ON incident_units TO geotwin_scoped;
GRANT INSERT, UPDATE (status, first_dispatch_at, first_arrival_at, closed_at, disposition, merged_into, description, priority)
    ON incidents TO geotwin_scoped;
GRANT INSERT ON incident_events TO geotwin_scoped;
-- The caller's phone is written by whoever takes the call (a call platform token too) but read only by geotwin_personal.
GRANT INSERT ON incident_callers TO geotwin_scoped;
-- change_unit_status (0013) locks and updates the unit row and appends its status event.
GRANT UPDATE (status, status_changed_at, status_changed_by) ON police_units TO geotwin_scoped;
GRANT INSERT ON unit_status_events TO geotwin_scoped;
-- Writing incidents raises their data version (0012) in the same transaction.
GRANT SELECT, UPDATE (version) ON data_versions TO geotwin_scoped;
GRANT USAGE ON SEQUENCE incidents_id_seq, incident_events_id_seq, incident_units_id_seq, unit_status_events_id_seq TO geotwin_scoped;

ALTER TABLE incident_units ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON incident_units TO geotwin_scoped USING (EXISTS (SELECT 1 FROM incidents i WHERE i.id = incident_id));
