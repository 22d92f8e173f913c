-- For each imported point ($1 lon, $2 lat), the deepest police node there if it lies inside the caller's scope
-- ($3; '' = all), else NULL: the same rule as a planned camera's.
SELECT p.i::int, (
    SELECT j.id
    FROM jurisdictions j
    WHERE j.kind IN ('city_bureau', 'sub_bureau', 'station', 'responsibility_area')
      AND ST_Covers(j.boundary, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326))
    ORDER BY nlevel(j.path) DESC
    LIMIT 1) AS jid, (
    SELECT j.path <@ $3::ltree
    FROM jurisdictions j
    WHERE j.kind IN ('city_bureau', 'sub_bureau', 'station', 'responsibility_area')
      AND ST_Covers(j.boundary, ST_SetSRID(ST_MakePoint(p.lon, p.lat), 4326))
    ORDER BY nlevel(j.path) DESC
    LIMIT 1) AS inside
FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS p(lon, lat, i)
ORDER BY p.i;
