-- Every visible unit's fixes in a window, at most one a unit per step (the first of each step).
SELECT DISTINCT ON (p.unit_id, floor(extract(epoch FROM p.fix_time) / $3))
       p.unit_id, extract(epoch FROM p.fix_time)::float8, ST_X(p.position), ST_Y(p.position), p.heading_deg
FROM unit_positions p
JOIN police_units u ON u.id = p.unit_id
WHERE p.fix_time >= $1 AND p.fix_time < $2
ORDER BY p.unit_id, floor(extract(epoch FROM p.fix_time) / $3), p.fix_time
LIMIT $4;
