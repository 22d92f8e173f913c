-- The cameras whose visibility is out of date: those named by queued changes, those within reach of a queued
-- house box (a prefilter by the widest range the cameras table allows, 5 km, then each camera's own range),
-- and those never computed. The queue rows taken are deleted in the caller's transaction: a failed
-- computation rolls back and leaves them queued. SKIP LOCKED lets several nodes share the queue.
WITH taken AS (
    DELETE FROM coverage_changes
    WHERE id IN (SELECT id FROM coverage_changes ORDER BY id LIMIT 10000 FOR UPDATE SKIP LOCKED)
    RETURNING camera_ids, area
)
SELECT unnest(camera_ids) FROM taken
UNION
SELECT c.id FROM taken t JOIN cameras c
    ON t.area IS NOT NULL
   AND c.location && ST_Expand(t.area, 5000 / (111320 * greatest(cos(radians(greatest(abs(ST_YMin(t.area)), abs(ST_YMax(t.area))))), 0.01)))
   AND ST_DWithin(c.location::geography, t.area::geography, c.range_m)
UNION
SELECT c.id FROM cameras c WHERE NOT EXISTS (SELECT 1 FROM camera_visibility v WHERE v.camera_id = c.id);
