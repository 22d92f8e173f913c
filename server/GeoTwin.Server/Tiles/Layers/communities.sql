SELECT ST_AsMVT(t, 'communities', 4096, 'geom', 'fid')
FROM (
    SELECT id AS fid, id, code, name, kind,
           ST_AsMVTGeom(ST_Transform(boundary, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
    FROM jurisdictions
    WHERE kind IN ('community', 'grid')
      AND boundary && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326)
) t
WHERE geom IS NOT NULL;
