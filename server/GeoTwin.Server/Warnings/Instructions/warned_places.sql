-- The places in the caller's view with a warning in month $1 (most severe first): what a leader raises instructions for.
SELECT p.id, p.name, p.kind, l.level, l.count, l.near_next
FROM warning_levels l JOIN warning_places p ON p.id = l.place_id
WHERE l.month = $1 AND l.level <> 'none'
ORDER BY array_position(ARRAY['black', 'red', 'orange', 'yellow'], l.level), l.count DESC, p.name, p.id
LIMIT 500;
