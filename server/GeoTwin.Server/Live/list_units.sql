SELECT u.id, u.call_sign, u.kind, s.name, u.status, u.last_fix_at,
       ST_X(u.last_position), ST_Y(u.last_position), extract(epoch FROM now() - u.last_fix_at)::float8,
       u.last_speed_kmh, u.last_heading_deg
FROM police_units u
JOIN jurisdictions s ON s.id = u.jurisdiction_id
ORDER BY u.call_sign;
