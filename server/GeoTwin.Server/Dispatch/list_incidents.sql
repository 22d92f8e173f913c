SELECT code, category, priority, status, received_at, ST_X(location), ST_Y(location), first_dispatch_at, first_arrival_at
FROM incidents
WHERE $1::text IS NULL OR status = $1 OR ($1 = 'open' AND status IN ('new', 'dispatched', 'on_scene'))
ORDER BY received_at DESC, id DESC
LIMIT $2;
