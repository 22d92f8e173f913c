-- The deepest police node (station, responsibility area...) whose boundary covers the point, and the community there.
SELECT j.id, j.code, j.name, j.path::text,
       (SELECT c.id FROM jurisdictions c WHERE c.kind = 'community' AND ST_Covers(c.boundary, x.p) ORDER BY nlevel(c.path) DESC LIMIT 1)
FROM (SELECT ST_SetSRID(ST_MakePoint($1, $2), 4326) AS p) x
JOIN LATERAL (SELECT * FROM jurisdictions
              WHERE kind IN ('city_bureau', 'sub_bureau', 'station', 'responsibility_area') AND ST_Covers(boundary, x.p)
              ORDER BY nlevel(path) DESC LIMIT 1) j ON true;
