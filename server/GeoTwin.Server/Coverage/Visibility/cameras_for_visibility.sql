SELECT id, ST_X(location), ST_Y(location), mount_height_m, heading_deg, fov_deg, range_m, kind
FROM cameras
WHERE id = ANY($1)
ORDER BY id;
