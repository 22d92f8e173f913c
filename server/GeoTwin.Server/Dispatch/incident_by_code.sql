SELECT code, category, priority, status, received_at, ST_X(location), ST_Y(location)
FROM incidents
WHERE code = $1;
