-- The latest crowd level changes in the caller's scope (row-level security).
SELECT id, area_id, area_name, level, previous_level, count, capacity, at
FROM crowd_events
WHERE ($1::timestamptz IS NULL OR at >= $1)
ORDER BY at DESC, id DESC
LIMIT $2
