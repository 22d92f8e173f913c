SELECT ST_AsMVT(t, 'addresses', 4096, 'geom', 'fid')
FROM (
    SELECT id AS fid, id, code, door_number, element_type,
           ST_AsMVTGeom(ST_Transform(location, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
    FROM addresses
    WHERE status = 'active'
      AND location && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326)
) t
WHERE geom IS NOT NULL;
