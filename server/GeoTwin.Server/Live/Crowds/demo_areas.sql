-- The demo's counting areas, once (only while there are none): each named beach and square of the demo's places, a
-- circle around it (beaches 80 m, squares 40 m), with a capacity and the day split into night, day and evening
-- (thresholds as fractions of the capacity, stricter by day when the crowds come).
INSERT INTO crowd_areas (name, area, capacity, thresholds, created_by, jurisdiction_id)
SELECT p.name, ST_Multi(ST_Buffer(p.location::geography, CASE p.kind WHEN 'beach' THEN 80 ELSE 40 END, 'quad_segs=8')::geometry),
       CASE p.kind WHEN 'beach' THEN 1500 ELSE 500 END,
       '[{"from":0,"yellow":0.5,"orange":0.7,"red":0.9,"absolute":false},
         {"from":600,"yellow":0.7,"orange":0.85,"red":0.95,"absolute":false},
         {"from":1260,"yellow":0.5,"orange":0.7,"red":0.9,"absolute":false}]'::jsonb,
       'demo', p.jurisdiction_id
FROM places p
WHERE p.kind IN ('beach', 'square') AND NOT EXISTS (SELECT 1 FROM crowd_areas)
ORDER BY p.name
