-- History: idempotent on (unit_id, fix_time), so a device's retried batch stores nothing twice.
-- Latest: a unit moves only forward in time; an older fix stays history only. The latest rows carry this group's
-- fix_seq (one nextval a transaction), which the other nodes read when they hear the group (notify_fixes.sql).
WITH history AS (
    INSERT INTO unit_positions (unit_id, fix_time, position, speed_kmh, heading_deg, accuracy_m)
    SELECT DISTINCT ON (unit_id, fix_time) unit_id, fix_time, ST_SetSRID(ST_MakePoint(lon, lat), 4326), speed_kmh, heading_deg, accuracy_m
    FROM positions_in
    ON CONFLICT (unit_id, fix_time) DO NOTHING
), latest AS (
    SELECT DISTINCT ON (unit_id) * FROM positions_in ORDER BY unit_id, fix_time DESC
), seq AS (
    SELECT nextval('unit_fix_seq') AS v
)
UPDATE police_units u
SET last_fix_at = l.fix_time, last_position = ST_SetSRID(ST_MakePoint(l.lon, l.lat), 4326),
    last_speed_kmh = l.speed_kmh, last_heading_deg = l.heading_deg, last_accuracy_m = l.accuracy_m, fix_seq = seq.v
FROM latest l, seq
WHERE u.id = l.unit_id AND (u.last_fix_at IS NULL OR u.last_fix_at < l.fix_time);
