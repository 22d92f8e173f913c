-- Land units and the road nearest to each (boats stay at their quay).
SELECT u.id, u.kind, r.id, CASE WHEN u.device_id ~ '^[0-9]{5,20}$' THEN u.device_id END AS terminal  -- a phone number: a JT/T 808 terminal
FROM police_units u
CROSS JOIN LATERAL (
    SELECT id FROM roads
    WHERE source IS NOT NULL AND target IS NOT NULL AND length_m > 0
      AND (u.kind = 'foot' OR road_class NOT IN ('pedestrian', 'track'))
    ORDER BY geom <-> coalesce(u.last_position, (SELECT ST_Centroid(boundary) FROM jurisdictions WHERE id = u.jurisdiction_id))
    LIMIT 1
) r
WHERE u.kind <> 'boat';
