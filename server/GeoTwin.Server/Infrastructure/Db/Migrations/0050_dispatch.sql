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
GRANT SELECT ON unit_status_transitions TO geotwin_scoped;
-- Writing incidents raises their data version (0012) in the same transaction.
GRANT SELECT, UPDATE (version) ON data_versions TO geotwin_scoped;
GRANT USAGE ON SEQUENCE incidents_id_seq, incident_events_id_seq, incident_units_id_seq, unit_status_events_id_seq TO geotwin_scoped;

ALTER TABLE incident_units ENABLE ROW LEVEL SECURITY;
CREATE POLICY scope ON incident_units TO geotwin_scoped USING (EXISTS (SELECT 1 FROM incidents i WHERE i.id = incident_id));

-- The dispatch steps, each one statement for the caller so it is all or nothing. They run as the caller
-- (SECURITY INVOKER), so a dispatcher's row-level security applies inside them too. Errors:
-- GT404 unknown (or out of scope) incident, GT409 the state moved on, GT422 not allowed (and 0013's codes).
CREATE FUNCTION dispatch_open_incident(p_incident bigint) RETURNS incidents LANGUAGE plpgsql AS $$
DECLARE
    inc incidents;
BEGIN
    SELECT * INTO inc FROM incidents WHERE id = p_incident FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'incident % does not exist', p_incident USING ERRCODE = 'GT404';
    END IF;
    IF inc.status NOT IN ('new', 'dispatched', 'on_scene') THEN
        RAISE EXCEPTION 'incident % is % already', inc.code, inc.status USING ERRCODE = 'GT409';
    END IF;
    RETURN inc;
END $$;

-- Sends a unit. p_expected: the status the dispatcher saw, so of two dispatchers sending the same unit
-- exactly one wins (change_unit_status locks the unit row; the second then sees 'dispatched' and gets GT409).
-- A unit on another incident is diverted: that assignment is released and the other incident's trail says so.
CREATE FUNCTION dispatch_assign(p_incident bigint, p_unit bigint, p_by text, p_expected text, p_eta real) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    inc incidents := dispatch_open_incident(p_incident);
    prev incident_units;
BEGIN
    PERFORM change_unit_status(p_unit, 'dispatched', p_by, p_expected, p_incident, 'dispatched to ' || inc.code);
    SELECT * INTO prev FROM incident_units WHERE unit_id = p_unit AND released_at IS NULL;
    IF FOUND THEN
        IF prev.incident_id = p_incident THEN
            RAISE EXCEPTION 'unit % is already on incident %', p_unit, inc.code USING ERRCODE = 'GT409';
        END IF;
        UPDATE incident_units SET released_at = now(), release_reason = 'diverted' WHERE id = prev.id;
        INSERT INTO incident_events (incident_id, actor, kind, unit_id, details)
        VALUES (prev.incident_id, p_by, 'reassign', p_unit, jsonb_build_object('diverted_to', inc.code));
    END IF;
    INSERT INTO incident_units (incident_id, unit_id, dispatched_by, eta_seconds) VALUES (p_incident, p_unit, p_by, p_eta);
    INSERT INTO incident_events (incident_id, actor, kind, unit_id, details)
    VALUES (p_incident, p_by, 'dispatch', p_unit, jsonb_build_object('eta_seconds', p_eta, 'seen_status', p_expected,
                                                                      'diverted_from', (SELECT code FROM incidents WHERE id = prev.incident_id)));
    UPDATE incidents SET status = CASE WHEN status = 'new' THEN 'dispatched' ELSE status END,
                         first_dispatch_at = coalesce(first_dispatch_at, now())
    WHERE id = p_incident;
END $$;

-- A dispatched unit is there: by hand, or because its position came close enough (p_how).
CREATE FUNCTION dispatch_arrive(p_incident bigint, p_unit bigint, p_by text, p_how text) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    inc incidents := dispatch_open_incident(p_incident);
BEGIN
    UPDATE incident_units SET arrived_at = now(), arrival_how = p_how
    WHERE incident_id = p_incident AND unit_id = p_unit AND released_at IS NULL AND arrived_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unit % is not on its way to incident %', p_unit, inc.code USING ERRCODE = 'GT409';
    END IF;
    PERFORM change_unit_status(p_unit, 'on_scene', p_by, NULL, p_incident, 'arrived at ' || inc.code);
    INSERT INTO incident_events (incident_id, actor, kind, unit_id, details) VALUES (p_incident, p_by, 'arrival', p_unit, jsonb_build_object('how', p_how));
    UPDATE incidents SET status = CASE WHEN status IN ('new', 'dispatched') THEN 'on_scene' ELSE status END,
                         first_arrival_at = coalesce(first_arrival_at, now())
    WHERE id = p_incident;
END $$;

-- Takes a unit off an incident and makes it available again.
CREATE FUNCTION dispatch_release(p_incident bigint, p_unit bigint, p_by text, p_reason text, p_kind text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE incident_units SET released_at = now(), release_reason = p_reason
    WHERE incident_id = p_incident AND unit_id = p_unit AND released_at IS NULL;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unit % is not on incident %', p_unit, p_incident USING ERRCODE = 'GT409';
    END IF;
    PERFORM change_unit_status(p_unit, 'available', p_by, NULL, p_incident, p_reason);
    INSERT INTO incident_events (incident_id, actor, kind, unit_id, details) VALUES (p_incident, p_by, p_kind, p_unit, jsonb_build_object('reason', p_reason));
END $$;

-- Ends an incident (closed, cancelled, merged): every unit on it is released to available.
CREATE FUNCTION dispatch_finish(p_incident bigint, p_by text, p_status text, p_text text, p_merged_into bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    inc incidents := dispatch_open_incident(p_incident);
    u bigint;
BEGIN
    FOR u IN SELECT unit_id FROM incident_units WHERE incident_id = p_incident AND released_at IS NULL ORDER BY unit_id LOOP
        PERFORM dispatch_release(p_incident, u, p_by, p_status, 'unit_released');
    END LOOP;
    UPDATE incidents SET status = p_status, closed_at = now(), merged_into = p_merged_into,
                         disposition = CASE WHEN p_status = 'closed' THEN p_text ELSE disposition END
    WHERE id = p_incident;
    INSERT INTO incident_events (incident_id, actor, kind, details)
    VALUES (p_incident, p_by, CASE p_status WHEN 'closed' THEN 'close' WHEN 'cancelled' THEN 'cancel' ELSE 'merge' END,
            jsonb_build_object('text', p_text, 'merged_into', (SELECT code FROM incidents WHERE id = p_merged_into)));
END $$;
