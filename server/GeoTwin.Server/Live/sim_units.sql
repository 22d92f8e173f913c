-- Land units and the road nearest to each (boats stay at their quay).
SELECT u.id, u.kind, r.id
FROM police_units u
CROSS JOIN LATERAL (
    SELECT id FROM roads
    WHERE source IS NOT NULL AND target IS NOT NULL AND length_m > 0
      AND (u.kind = 'foot' OR road_class NOT IN ('pedestrian', 'track'))
    ORDER BY geom <-> coalesce(u.last_position, (SELECT ST_Centroid(boundary) FROM jurisdictions WHERE id = u.jurisdiction_id))
    LIMIT 1
) r
WHERE u.kind <> 'boat';
