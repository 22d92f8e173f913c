-- Each visible unit's status at the window's start ($1), then its changes before the end ($2), oldest first:
-- the replay colours a unit as it was, not as it is.
SELECT u.id, extract(epoch FROM $1::timestamptz)::float8,
       coalesce((SELECT e.to_status FROM unit_status_events e WHERE e.unit_id = u.id AND e.changed_at < $1 ORDER BY e.changed_at DESC, e.id DESC LIMIT 1),
                (SELECT e.from_status FROM unit_status_events e WHERE e.unit_id = u.id AND e.changed_at >= $1 ORDER BY e.changed_at, e.id LIMIT 1),
                u.status), 0::bigint
FROM police_units u
UNION ALL
SELECT e.unit_id, extract(epoch FROM e.changed_at)::float8, e.to_status, e.id
FROM unit_status_events e
WHERE e.changed_at >= $1 AND e.changed_at < $2
ORDER BY 1, 2, 4;
