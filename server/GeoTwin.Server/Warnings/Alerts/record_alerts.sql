-- The warnings ($1 place, $2 month, $3 kind, $4 level, $5 count: parallel arrays) as alerts, in the transaction of
-- the level change; one already raised for the place, month and kind is not raised again. Returns the new ones with
-- what the viewers are shown and the place's jurisdiction path (whom to push them to).
WITH added AS (
    INSERT INTO warning_alerts (place_id, month, kind, level, count)
    SELECT * FROM unnest($1::bigint[], $2::date[], $3::text[], $4::text[], $5::int[])
    ON CONFLICT (place_id, month, kind) DO NOTHING
    RETURNING id, place_id, month, kind, level, count, at
)
SELECT a.id, p.id, p.code, p.name, p.name_en, p.kind, a.kind, a.level, a.count, a.month, a.at, p.jurisdiction_path::text
FROM added a JOIN warning_places p ON p.id = a.place_id
ORDER BY a.id;
