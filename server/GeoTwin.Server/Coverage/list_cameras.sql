SELECT id, name, ST_X(location), ST_Y(location), mount_height_m, heading_deg, fov_deg, range_m, kind, owner, status
FROM cameras
WHERE $1::float8 IS NULL OR location && ST_MakeEnvelope($1, $2, $3, $4, 4326)
ORDER BY id
LIMIT $5;
