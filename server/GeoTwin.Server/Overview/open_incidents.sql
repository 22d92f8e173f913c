-- Open incidents for the overview's counts by priority and status and its overdue rule (applied in C#, the rule in
-- GeoTwin.Domain's PriorityTarget). $1 the open statuses. Row-level security keeps it to the caller's jurisdiction.
SELECT priority, status, received_at, first_dispatch_at, first_arrival_at
FROM incidents
WHERE status = ANY($1::text[]);
