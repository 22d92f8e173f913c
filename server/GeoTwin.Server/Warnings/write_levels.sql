-- The recomputed rows of places whose count, level or flag moved ($1..$5 parallel arrays), and for those whose level or
-- flag moved ($6) a history row each, in the caller's transaction (the outbox of texts is written beside them).
WITH rows AS (
    SELECT * FROM unnest($1::bigint[], $2::date[], $3::int[], $4::text[], $5::bool[], $6::bool[], $7::text[])
        AS r(place_id, month, count, level, near_next, moved, from_level)
), upserted AS (
    INSERT INTO warning_levels AS l (place_id, month, count, level, near_next)
    SELECT place_id, month, count, level, near_next FROM rows
    ON CONFLICT (place_id, month) DO UPDATE
        SET count = EXCLUDED.count, level = EXCLUDED.level, near_next = EXCLUDED.near_next,
            changed_at = CASE WHEN l.level <> EXCLUDED.level OR l.near_next <> EXCLUDED.near_next THEN now() ELSE l.changed_at END
)
INSERT INTO warning_level_changes (place_id, month, from_level, to_level, count, near_next)
SELECT place_id, month, from_level, level, count, near_next FROM rows WHERE moved;
