SELECT code, category, priority, status, received_at, ST_X(location), ST_Y(location), first_dispatch_at, first_arrival_at
FROM incidents
WHERE code = $1;
