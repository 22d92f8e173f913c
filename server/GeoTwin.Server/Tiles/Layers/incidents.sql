-- Incidents, optionally filtered: $4 categories (NULL = all), $5 from, $6 to (received_at, half-open).
SELECT ST_AsMVT(t, 'incidents', 4096, 'geom', 'fid')
FROM (
    SELECT id AS fid, id, code, category, priority, status, extract(epoch FROM received_at)::bigint AS received,
           ST_AsMVTGeom(ST_Transform(location, 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
    FROM incidents
    WHERE location && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => 64.0 / 4096), 4326)
      AND ($4::text[] IS NULL OR category = ANY ($4::text[]))
      AND ($5::timestamptz IS NULL OR received_at >= $5::timestamptz)
      AND ($6::timestamptz IS NULL OR received_at < $6::timestamptz)
) t
WHERE geom IS NOT NULL;
