SELECT code, category, priority, status, received_at, ST_X(location), ST_Y(location)
FROM incidents
WHERE $1::text IS NULL OR status = $1
ORDER BY received_at DESC, id DESC
LIMIT $2;
