SELECT id, name, ST_X(location), ST_Y(location), mount_height_m, heading_deg, fov_deg, range_m, kind, owner, status
FROM cameras
WHERE id = $1;
