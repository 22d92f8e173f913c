-- Which place and patrol zone each counted incident belongs to, and its calendar month on the bureau's clock.
-- $1 incident ids (null: every counted incident not yet assigned), $2 place kinds in order of preference,
-- $3 metres from a zone's street, $4 time zone, $5 counted categories. Returns the months that got incidents.
-- Own place: the first kind of $2 that contains it, the smallest such place (ties by id, so it is stable).
-- Zone: the smallest zone containing it, else the zone whose street is nearest within $3 m. The street test first
-- bounds by degrees (index) with a margin that holds at any latitude below 80°, then measures on the ellipsoid.
INSERT INTO warning_incidents (incident_id, place_id, zone_id, month)
SELECT i.id,
       (SELECT p.id FROM warning_places p
         WHERE p.kind = ANY ($2::text[]) AND ST_Intersects(p.boundary, i.location)
         ORDER BY array_position($2::text[], p.kind), p.area_m2, p.id LIMIT 1),
       coalesce(
         (SELECT z.id FROM warning_places z
           WHERE z.kind = 'patrol_zone' AND ST_Intersects(z.boundary, i.location)
           ORDER BY z.area_m2, z.id LIMIT 1),
         (SELECT z.id FROM warning_places z
           WHERE z.kind = 'patrol_zone' AND z.street IS NOT NULL
             AND ST_DWithin(z.street, i.location, $3::float8 / (110000 * cos(radians(ST_Y(i.location)))))
             AND ST_DWithin(z.street::geography, i.location::geography, $3::float8)
           ORDER BY ST_Distance(z.street::geography, i.location::geography), z.id LIMIT 1)),
       date_trunc('month', i.received_at AT TIME ZONE $4::text)::date
FROM incidents i
WHERE ($1::bigint[] IS NULL OR i.id = ANY ($1::bigint[]))
  AND i.category = ANY ($5::text[])
  AND NOT EXISTS (SELECT 1 FROM warning_incidents w WHERE w.incident_id = i.id)
ON CONFLICT (incident_id) DO NOTHING
RETURNING month;
