SELECT e.at, e.actor, e.kind, e.unit_id, u.call_sign, e.details::text
FROM incident_events e
LEFT JOIN police_units u ON u.id = e.unit_id
WHERE e.incident_id = $1
ORDER BY e.at, e.id;
