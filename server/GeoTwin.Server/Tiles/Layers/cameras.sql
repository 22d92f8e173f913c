-- A 20-digit GB/T 28181 id does not fit a tile's integer feature id: the id travels as an attribute
-- and the feature id is a stable 63-bit hash of it.
SELECT ST_AsMVT(t, 'cameras', 4096, 'geom', 'fid')
FROM (
    SELECT abs(hashtextextended(id, 0)) AS fid, id, name, heading_deg AS heading, fov_deg AS fov, range_m AS range,
           kind, owner, status,
           ST_AsMVTGeom(ST_Transform(location, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
    FROM cameras
    WHERE location && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326)
) t
WHERE geom IS NOT NULL;
