-- The incidents a hot spot analysis reads, as the caller (row-level security keeps them inside the caller's scope).
-- $1 categories text[] (NULL: all); $2 from, $3 to (received_at, half-open; NULL: open-ended);
-- $4 local hours int[] 0..23 and $5 ISO weekdays int[] 1 (Mon)..7 (Sun) of received_at in the time zone $7 (NULL: all);
-- $6 a jurisdiction path narrowing the scope (NULL: the whole scope); $8 a region as WKT in EPSG:4326 (NULL: anywhere).
-- A merged incident is a duplicate report of another one: counting it would count one event twice.
-- Besides the place, each row carries its local weekday, hour, month (year·12 + month − 1) and day (days since
-- 1970-01-01), which the hour × weekday matrix, the monthly counts and the emerging time steps are made of.
SELECT id, ST_X(location), ST_Y(location),
       extract(isodow FROM l.local)::int, extract(hour FROM l.local)::int,
       (extract(year FROM l.local) * 12 + extract(month FROM l.local) - 1)::int,
       (l.local::date - DATE '1970-01-01')::int
FROM incidents
CROSS JOIN LATERAL (SELECT received_at AT TIME ZONE $7::text AS local) l
WHERE status <> 'merged'
  AND ($1::text[] IS NULL OR category = ANY ($1::text[]))
  AND ($2::timestamptz IS NULL OR received_at >= $2::timestamptz)
  AND ($3::timestamptz IS NULL OR received_at < $3::timestamptz)
  AND ($4::int[] IS NULL OR extract(hour FROM l.local)::int = ANY ($4::int[]))
  AND ($5::int[] IS NULL OR extract(isodow FROM l.local)::int = ANY ($5::int[]))
  AND ($6::text IS NULL OR jurisdiction_path <@ $6::text::ltree)
  AND ($8::text IS NULL OR ST_Covers(ST_GeomFromText($8::text, 4326), location))
ORDER BY id;
