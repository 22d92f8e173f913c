-- Police jurisdictions (bureaus, stations, responsibility areas) as tile polygons.
-- $1 z, $2 x, $3 y. Rows are scoped by row-level security like every request-time read.
SELECT ST_AsMVT(t, 'jurisdictions', 4096, 'geom', 'fid')
FROM (
    SELECT id AS fid, id, code, name, kind,
           ST_AsMVTGeom(ST_Transform(boundary, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
    FROM jurisdictions
    WHERE kind IN ('city_bureau', 'sub_bureau', 'station', 'responsibility_area')
      AND boundary && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326)
) t
WHERE geom IS NOT NULL;
