-- Unit status rules, shared by the Live slice (a unit or its officer reports a status) and the
-- Dispatch slice (dispatching, arrival, release): one function decides, so both agree on what is
-- allowed and two dispatchers racing for one unit cannot both win.
CREATE TABLE unit_status_transitions (
    from_status  text NOT NULL,
    to_status    text NOT NULL,
    PRIMARY KEY (from_status, to_status)
);
INSERT INTO unit_status_transitions (from_status, to_status) VALUES
    ('available', 'dispatched'), ('available', 'busy'), ('available', 'off_duty'), ('available', 'out_of_service'),
    -- dispatched to dispatched / en_route to dispatched: diverted to a more urgent incident
    ('dispatched', 'en_route'), ('dispatched', 'on_scene'), ('dispatched', 'available'), ('dispatched', 'dispatched'),
    ('en_route', 'on_scene'), ('en_route', 'available'), ('en_route', 'dispatched'),
    ('on_scene', 'available'), ('on_scene', 'busy'),
    ('busy', 'available'), ('busy', 'off_duty'), ('busy', 'out_of_service'),
    ('off_duty', 'available'), ('off_duty', 'out_of_service'),
    ('out_of_service', 'available'), ('out_of_service', 'off_duty');

-- Changes one unit's status under a row lock and records who and why.
-- p_expected: the status the caller saw; if the unit moved on meanwhile, the change is refused
-- (SQLSTATE GT409) instead of silently overriding another dispatcher.
-- Errors: GT404 unknown unit, GT409 stale expectation, GT422 transition not allowed.
CREATE FUNCTION change_unit_status(p_unit bigint, p_to text, p_by text, p_expected text DEFAULT NULL,
                                   p_incident bigint DEFAULT NULL, p_reason text DEFAULT NULL)
RETURNS unit_status_events LANGUAGE plpgsql AS $$
DECLARE
    current_status text;
    event unit_status_events;
BEGIN
    SELECT status INTO current_status FROM police_units WHERE id = p_unit FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unit % does not exist', p_unit USING ERRCODE = 'GT404';
    END IF;
    IF p_expected IS NOT NULL AND current_status <> p_expected THEN
        RAISE EXCEPTION 'unit % is % now, not %', p_unit, current_status, p_expected USING ERRCODE = 'GT409';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM unit_status_transitions WHERE from_status = current_status AND to_status = p_to) THEN
        RAISE EXCEPTION 'unit % cannot go from % to %', p_unit, current_status, p_to USING ERRCODE = 'GT422';
    END IF;
    UPDATE police_units SET status = p_to, status_changed_at = now(), status_changed_by = p_by WHERE id = p_unit;
    INSERT INTO unit_status_events (unit_id, from_status, to_status, changed_by, incident_id, reason)
    VALUES (p_unit, current_status, p_to, p_by, p_incident, p_reason)
    RETURNING * INTO event;
    RETURN event;
END $$;
