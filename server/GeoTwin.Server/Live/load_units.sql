-- Units whose row changed since $1 (all of them when $1 is null): the in-memory picture follows the table,
-- including status changes made by other slices through change_unit_status.
SELECT u.id, u.call_sign, u.kind, u.device_id, s.name, u.jurisdiction_path::text, u.status, u.last_fix_at,
       ST_X(u.last_position), ST_Y(u.last_position), u.last_speed_kmh, u.last_heading_deg, u.last_accuracy_m,
       greatest(u.status_changed_at, u.created_at), u.capabilities
FROM police_units u
JOIN jurisdictions s ON s.id = u.jurisdiction_id
WHERE $1::timestamptz IS NULL OR u.status_changed_at > $1 OR u.created_at > $1;
