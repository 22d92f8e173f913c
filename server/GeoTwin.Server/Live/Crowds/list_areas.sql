-- The counting areas in the caller's scope (row-level security), or the one with id $1: outline as GeoJSON, capacity,
-- level, the count now (as current_counts.sql: the latest of each source within the day before the newest) and its time.
SELECT a.id, a.name, ST_AsGeoJSON(a.area, 7)::text, a.capacity, a.thresholds::text, a.level, a.level_since, j.code, j.name,
       now_.count, now_.at,
       coalesce((SELECT s.codes FROM (SELECT array_agg(code ORDER BY code) AS codes FROM crowd_sensors WHERE area_id = a.id) s), '{}')
FROM crowd_areas a
JOIN jurisdictions j ON j.id = a.jurisdiction_id
LEFT JOIN LATERAL (
    SELECT sum(l.count)::int AS count, max(l.at) AS at
    FROM (SELECT DISTINCT ON (coalesce(c.sensor_id, 0)) c.count, c.at
          FROM crowd_counts c
          WHERE c.area_id = a.id AND c.at > (SELECT max(at) FROM crowd_counts WHERE area_id = a.id) - interval '1 day'
          ORDER BY coalesce(c.sensor_id, 0), c.at DESC) l) now_ ON true
WHERE $1::bigint IS NULL OR a.id = $1
ORDER BY a.name, a.id
