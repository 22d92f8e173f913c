SELECT code, category, priority, status, received_at, ST_X(location), ST_Y(location), first_dispatch_at, first_arrival_at
FROM incidents
-- $1: the statuses asked for (status=open: the vocabulary's open ones), null for all
WHERE $1::text[] IS NULL OR status = ANY($1)
ORDER BY received_at DESC, id DESC
LIMIT $2;
