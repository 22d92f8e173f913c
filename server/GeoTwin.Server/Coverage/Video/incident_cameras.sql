-- The cameras that can show an incident's place: those whose stored visibility covers it, and those within the radius
-- (a camera just out of sight may turn, a PTZ may zoom), nearest first. A planned camera has no video yet.
WITH i AS (SELECT location FROM incidents WHERE code = $1),
near AS (
    SELECT v.camera_id AS id FROM camera_visibility v, i WHERE ST_Covers(v.geom, i.location)
    UNION
    SELECT c.id FROM cameras c, i
    WHERE c.location && ST_Expand(i.location, $2 * 1.01 / (111320 * greatest(cos(radians(ST_Y(i.location))), 0.01)), $2 * 1.01 / 110574) AND ST_DWithin(c.location::geography, i.location::geography, $2)
)
SELECT c.id, c.name, ST_X(c.location), ST_Y(c.location), c.status, c.kind, c.owner,
       ST_Distance(c.location::geography, i.location::geography) AS distance_m,
       EXISTS (SELECT 1 FROM camera_visibility v WHERE v.camera_id = c.id AND ST_Covers(v.geom, i.location)) AS sees
FROM near JOIN cameras c USING (id), i
WHERE c.status <> 'planned'
ORDER BY distance_m, c.id
LIMIT $3;
