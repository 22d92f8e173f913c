-- Incidents that were open at some time in [$1, $2): received before its end, not ended before its start.
-- The status columns are set in the same transaction as the trail's events (dispatch_* in 0050), at the same now().
SELECT code, category, priority, ST_X(location), ST_Y(location), received_at, first_dispatch_at, first_arrival_at, closed_at, status
FROM incidents
WHERE received_at < $2 AND (closed_at IS NULL OR closed_at >= $1)
ORDER BY received_at, id
LIMIT $3;
