-- The newest alerts the caller may see (row-level security), after $1 (null: any time), at most $2.
SELECT a.id, p.id, p.code, p.name, p.name_en, p.kind, a.kind, a.level, a.count, a.month, a.at, p.jurisdiction_path::text
FROM warning_alerts a JOIN warning_places p ON p.id = a.place_id
WHERE $1::timestamptz IS NULL OR a.at > $1
ORDER BY a.at DESC, a.id DESC
LIMIT $2;
