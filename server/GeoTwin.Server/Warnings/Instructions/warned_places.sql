-- The places in the caller's view with a warning in month $1 or the month before (the latest of the two each; early in
-- a month last month's red and black places are still what leaders act on), most severe first.
SELECT id, name, kind, level, count, near_next, month FROM (
    SELECT DISTINCT ON (p.id) p.id, p.name, p.kind, l.level, l.count, l.near_next, l.month
    FROM warning_levels l JOIN warning_places p ON p.id = l.place_id
    WHERE l.month IN ($1, ($1 - interval '1 month')::date) AND l.level <> 'none'
    ORDER BY p.id, l.month DESC
) w
ORDER BY month DESC, array_position(ARRAY['black', 'red', 'orange', 'yellow'], level), count DESC, name, id
LIMIT 500;
