-- The area's clock (its jurisdiction's time zone, the nearest ancestor that names one, else UTC) and capacity, as the
-- caller: no row for an area outside the scope.
SELECT coalesce((SELECT j.time_zone FROM jurisdictions j WHERE j.path @> a.jurisdiction_path AND j.time_zone IS NOT NULL
                 ORDER BY nlevel(j.path) DESC LIMIT 1), 'UTC'), a.capacity, a.name
FROM crowd_areas a WHERE a.id = $1
