-- The caller's imported sites in the area ($1, EPSG:4326); row-level security leaves out other jurisdictions'.
SELECT id, name, ST_X(location), ST_Y(location), batch
FROM camera_sites
WHERE location && $1::geometry AND ST_Covers($1::geometry, location)
ORDER BY id
LIMIT $2;
