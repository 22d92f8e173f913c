-- The counted incidents of place $1 (own place or patrol zone) in month $2, categories $3, newest first.
SELECT i.code, i.category, i.status, i.received_at, ST_X(i.location), ST_Y(i.location)
FROM warning_incidents w JOIN incidents i ON i.id = w.incident_id
WHERE (w.place_id = $1 OR w.zone_id = $1) AND w.month = $2::date
  AND i.status NOT IN ('merged', 'cancelled') AND i.category = ANY ($3::text[])
ORDER BY i.received_at DESC, i.id DESC
LIMIT 500;
