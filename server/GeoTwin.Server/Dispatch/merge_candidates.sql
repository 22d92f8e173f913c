-- Open incidents of the same category close in place and time: $1 incident, $2 metres, $3 minutes.
SELECT o.code, o.category, o.priority, o.status, o.received_at, ST_X(o.location), ST_Y(o.location),
       ST_Distance(o.location::geography, i.location::geography)
FROM incidents i
JOIN incidents o ON o.category = i.category AND o.id <> i.id AND o.status IN ('new', 'dispatched', 'on_scene')
                AND o.received_at >= i.received_at - $3::float8 * interval '1 minute'
                AND ST_DWithin(o.location::geography, i.location::geography, $2)
WHERE i.id = $1
ORDER BY 8, o.received_at DESC
LIMIT 5;
