-- One place the caller may see ($1) in month $2: its count and level (null row: not in scope or no such place).
SELECT p.id, p.code, p.kind, p.name, p.name_en, coalesce(l.count, 0), coalesce(l.level, 'none'), coalesce(l.near_next, false)
FROM warning_places p
LEFT JOIN warning_levels l ON l.place_id = p.id AND l.month = $2::date
WHERE p.id = $1;
