-- Per place and month of $1: the count of counted incidents (own place or patrol zone; merged duplicates and
-- cancelled calls left out; categories $2) beside the stored count, level and flag (null when none is stored).
WITH counted AS (
    SELECT w.place_id AS place_id, w.month FROM warning_incidents w JOIN incidents i ON i.id = w.incident_id
    WHERE w.month = ANY ($1::date[]) AND w.place_id IS NOT NULL
      AND i.status NOT IN ('merged', 'cancelled') AND i.category = ANY ($2::text[])
    UNION ALL
    SELECT w.zone_id, w.month FROM warning_incidents w JOIN incidents i ON i.id = w.incident_id
    WHERE w.month = ANY ($1::date[]) AND w.zone_id IS NOT NULL
      AND i.status NOT IN ('merged', 'cancelled') AND i.category = ANY ($2::text[])
), counts AS (
    SELECT place_id, month, count(*)::int AS n FROM counted GROUP BY place_id, month
), stored AS (
    SELECT place_id, month, count, level, near_next FROM warning_levels WHERE month = ANY ($1::date[])
)
SELECT p.id, coalesce(c.month, s.month), p.kind, coalesce(c.n, 0), s.count, s.level, s.near_next
FROM counts c
FULL JOIN stored s ON s.place_id = c.place_id AND s.month = c.month
JOIN warning_places p ON p.id = coalesce(c.place_id, s.place_id);
