-- A planned camera at ($1, $2) in the deepest police node there, only inside the caller's scope ($8; '' = all).
-- Its GB/T 28181 id: the first camera id prefix of the area's cameras (or 3402000000 1320), the next free serial.
-- Run as GeoTwin's own login so the serial is free across every station; the scope test is the WHERE below.
WITH at AS (
    SELECT j.id, j.path
    FROM jurisdictions j
    WHERE kind IN ('city_bureau', 'sub_bureau', 'station', 'responsibility_area')
      AND ST_Covers(boundary, ST_SetSRID(ST_MakePoint($1, $2), 4326))
    ORDER BY nlevel(path) DESC
    LIMIT 1
), serial AS (
    SELECT coalesce(max(right(id, 6)::int), 0) + 1 AS n FROM cameras WHERE left(id, 14) = '34020000001320'
)
INSERT INTO cameras (id, name, location, heading_deg, fov_deg, range_m, mount_height_m, kind, status, jurisdiction_id)
SELECT '34020000001320' || lpad(serial.n::text, 6, '0'), $9, ST_SetSRID(ST_MakePoint($1, $2), 4326), $3, $4, $5, $6, $7, 'planned', at.id
FROM at, serial
WHERE at.path <@ $8::ltree AND serial.n <= 999999
RETURNING id;
