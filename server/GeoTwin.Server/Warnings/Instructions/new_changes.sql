-- The level changes after the rules' cursor ($1) up to $3 in month $2, with their place's node: what the rules look at.
SELECT c.id, c.place_id, c.month, c.from_level, c.to_level, p.jurisdiction_id, p.jurisdiction_path::text
FROM warning_level_changes c JOIN warning_places p ON p.id = c.place_id
WHERE c.id > $1 AND c.id <= $3 AND c.month = $2
ORDER BY c.id;
