-- The caller's imported sites (row-level security scopes them), newest batch first.
SELECT id, name, ST_X(location), ST_Y(location), batch, imported_at
FROM camera_sites
ORDER BY imported_at DESC, id
LIMIT $1;
