-- Houses with what the map colours them by; resident counts are totals, never people.
SELECT ST_AsMVT(t, 'houses', 4096, 'geom', 'fid')
FROM (
    SELECT id AS fid, id, code, use, floors, roof_height_m AS height, residents_total,
           CASE WHEN residents_total > 0 THEN round(residents_floating::numeric / residents_total, 2)::float8 END AS floating_share,
           ST_AsMVTGeom(ST_Transform(footprint, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
    FROM houses
    WHERE footprint && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326)
) t
WHERE geom IS NOT NULL;
