-- The incidents a density surface is made of: longitude and latitude of those matching the shared hotspot
-- filters, read as geotwin_scoped, so row-level security keeps them inside the caller's jurisdiction.
-- $1 categories (NULL = all), $2 from (inclusive), $3 to (exclusive), $4 hours of day, $5 ISO weekdays
-- (1 = Monday), both in time zone $7, $6 a jurisdiction code narrowing the set. Merged incidents are
-- duplicates of the one they were merged into and are left out.
SELECT ST_X(location), ST_Y(location)
FROM incidents
WHERE status <> 'merged'
  AND ($1::text[] IS NULL OR category = ANY ($1::text[]))
  AND ($2::timestamptz IS NULL OR received_at >= $2::timestamptz)
  AND ($3::timestamptz IS NULL OR received_at < $3::timestamptz)
  AND ($4::int[] IS NULL OR extract(hour FROM received_at AT TIME ZONE $7::text)::int = ANY ($4::int[]))
  AND ($5::int[] IS NULL OR extract(isodow FROM received_at AT TIME ZONE $7::text)::int = ANY ($5::int[]))
  AND ($6::text IS NULL OR jurisdiction_path <@ (SELECT path FROM jurisdictions WHERE code = $6::text))
ORDER BY id;
