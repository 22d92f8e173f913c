-- The account that holds an instruction at level $2 for a place in jurisdiction $1: the deepest such account above
-- (or at) the place's node. community_officer: a community officer; station_leader: a commander at a station;
-- sub_bureau: a commander at a sub-bureau (or the city bureau where there is none). Ties by id, so it is stable.
SELECT u.id, u.display_name
FROM users u JOIN jurisdictions j ON j.id = u.jurisdiction_id
WHERE NOT u.disabled AND j.path @> $1::ltree
  AND CASE $2::text
        WHEN 'community_officer' THEN u.role = 'community_officer'
        WHEN 'station_leader' THEN u.role = 'commander' AND j.kind = 'station'
        WHEN 'sub_bureau' THEN u.role = 'commander' AND j.kind IN ('sub_bureau', 'city_bureau')
      END
ORDER BY nlevel(j.path) DESC, u.id
LIMIT 1;
