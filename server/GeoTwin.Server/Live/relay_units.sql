-- The units whose status another session changed ($1 ids), as load_units.sql reads them.
SELECT u.id, u.call_sign, u.kind, u.device_id, s.name, u.jurisdiction_path::text, u.status, u.last_fix_at,
       ST_X(u.last_position), ST_Y(u.last_position), u.last_speed_kmh, u.last_heading_deg, u.last_accuracy_m,
       greatest(u.status_changed_at, u.created_at), u.capabilities
FROM police_units u
JOIN jurisdictions s ON s.id = u.jurisdiction_id
WHERE u.id = ANY($1)
