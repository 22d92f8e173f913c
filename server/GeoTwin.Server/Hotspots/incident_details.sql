-- The incidents of one cell for the analyst's list, newest first; read as the caller, so only those in scope.
-- No caller names or phones: an analyst's list needs what, when and where, not who.
SELECT code, category, priority, status, received_at, ST_X(location), ST_Y(location)
FROM incidents
WHERE id = ANY ($1::bigint[])
ORDER BY received_at DESC, id DESC
LIMIT $2;
