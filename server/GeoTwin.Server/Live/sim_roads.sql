-- The routable road network for the simulator: edges with both ends known, as coordinate lists.
SELECT id, source, target, oneway, speed_kmh, road_class IN ('pedestrian', 'track') AS foot_only,
       (SELECT array_agg(ARRAY[ST_X(d.geom), ST_Y(d.geom)] ORDER BY d.path) FROM ST_DumpPoints(geom) d)
FROM roads
WHERE source IS NOT NULL AND target IS NOT NULL AND length_m > 0;
