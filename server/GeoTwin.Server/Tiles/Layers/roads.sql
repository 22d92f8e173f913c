SELECT ST_AsMVT(t, 'roads', 4096, 'geom', 'fid')
FROM (
    SELECT id AS fid, id, name, road_class AS class, oneway, speed_kmh,
           ST_AsMVTGeom(ST_Transform(geom, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
    FROM roads
    WHERE geom && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326)
) t
WHERE geom IS NOT NULL;
