-- Which incident each busy unit is on now, for diversion candidates and arrival checks.
SELECT iu.unit_id, i.id, i.code, i.priority, ST_X(i.location), ST_Y(i.location), iu.arrived_at IS NOT NULL, i.jurisdiction_path::text
FROM incident_units iu
JOIN incidents i ON i.id = iu.incident_id
WHERE iu.released_at IS NULL;
