-- Every change of level or flag of place $1, newest first.
SELECT month, from_level, to_level, count, near_next, at
FROM warning_level_changes WHERE place_id = $1
ORDER BY at DESC, id DESC
LIMIT 200;
