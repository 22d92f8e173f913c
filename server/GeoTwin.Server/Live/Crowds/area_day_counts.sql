-- An area's counts by local day and 15-minute slot from $2 to $3 (UTC) in time zone $4: in each slot, the last count of
-- each source, summed. As the caller (row-level security): another jurisdiction's area has no counts.
WITH c AS (
    SELECT coalesce(sensor_id, 0) AS source, (at AT TIME ZONE $4)::date AS day,
           (extract(hour FROM at AT TIME ZONE $4) * 4 + floor(extract(minute FROM at AT TIME ZONE $4) / 15))::int AS slot, count, at
    FROM crowd_counts WHERE area_id = $1 AND at >= $2 AND at < $3),
last AS (
    SELECT DISTINCT ON (day, slot, source) day, slot, count FROM c ORDER BY day, slot, source, at DESC)
SELECT day, slot, sum(count)::int FROM last GROUP BY day, slot ORDER BY day, slot
