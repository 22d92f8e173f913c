-- The latest fence events in the caller's scope, with the unit's call sign and kind.
SELECT e.id, e.fence_id, e.fence_name, e.unit_id, u.call_sign, u.kind, e.rule, e.at, ST_X(e.location), ST_Y(e.location)
FROM geofence_events e LEFT JOIN police_units u ON u.id = e.unit_id
WHERE ($1::timestamptz IS NULL OR e.at >= $1)
ORDER BY e.at DESC, e.id DESC
LIMIT $2
