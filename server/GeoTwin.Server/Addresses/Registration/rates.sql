-- Registration rate per community, responsibility area or station ($1): floating residents with a registration over
-- floating residents counted in the houses, and how many of the registrations were made by their due day. Row-level
-- security keeps the houses and people to the caller's jurisdiction; the counts carry no personal data.
-- The grouping place's outline comes as GeoJSON (communities on the map).
WITH h AS (
    SELECT h.id, h.residents_floating,
           CASE $1 WHEN 'community' THEN h.community_id
                   WHEN 'area' THEN h.jurisdiction_id
                   ELSE (SELECT s.id FROM jurisdictions s WHERE s.kind = 'station' AND s.path @> h.jurisdiction_path
                         ORDER BY nlevel(s.path) DESC LIMIT 1) END AS place
    FROM houses h
), p AS (
    SELECT p.house_id,
           count(*) FILTER (WHERE p.registered_on IS NOT NULL) AS registered,
           count(*) FILTER (WHERE p.registered_on IS NOT NULL AND p.registration_due_on IS NOT NULL) AS timed,
           count(*) FILTER (WHERE p.registered_on <= p.registration_due_on) AS on_time
    FROM people p
    WHERE p.floating AND p.left_on IS NULL
    GROUP BY p.house_id
)
SELECT j.code, j.name, j.name_en, sum(h.residents_floating)::int, coalesce(sum(p.registered), 0)::int,
       coalesce(sum(p.timed), 0)::int, coalesce(sum(p.on_time), 0)::int,
       CASE WHEN $2 THEN ST_AsGeoJSON(j.boundary, 6) END
FROM h
JOIN jurisdictions j ON j.id = h.place
LEFT JOIN p ON p.house_id = h.id
GROUP BY j.id
ORDER BY j.code;
