-- Each area's count now ($1 area ids): the sum of the latest count of each of its sources (each sensor, and counts
-- posted for the area itself) within the day before its newest count (a silent source drops out), and that newest time.
WITH newest AS (
    SELECT area_id, max(at) AS at FROM crowd_counts WHERE area_id = ANY($1::bigint[]) GROUP BY area_id),
latest AS (
    SELECT DISTINCT ON (c.area_id, coalesce(c.sensor_id, 0)) c.area_id, c.count
    FROM crowd_counts c JOIN newest n ON n.area_id = c.area_id AND c.at > n.at - interval '1 day'
    ORDER BY c.area_id, coalesce(c.sensor_id, 0), c.at DESC)
SELECT n.area_id, (SELECT sum(l.count) FROM latest l WHERE l.area_id = n.area_id)::int, n.at
FROM newest n
