SELECT iu.unit_id, u.call_sign, u.status, iu.dispatched_at, iu.dispatched_by, iu.eta_seconds, iu.arrived_at, iu.arrival_how,
       iu.released_at, iu.release_reason
FROM incident_units iu
JOIN police_units u ON u.id = iu.unit_id
WHERE iu.incident_id = $1
ORDER BY iu.dispatched_at, iu.id;
