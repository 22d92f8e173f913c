-- Incidents, optionally filtered: $4 categories (NULL = all), $5 from, $6 to (received_at, half-open).
-- From z14 each incident is its own point. Below z14, where a district fits in a tile, the incidents in one
-- 256-unit cell (16 px of a 256 px tile: room for a disc with its count; cells are aligned to tile edges) are one
-- point at their mean place with how many they are (count), the commonest category, the most urgent priority and
-- the latest time; a cell of one incident is that incident, code and status included, so it still opens its
-- record. Without this a tile grows with every incident ever taken: two years of the demo's were 3/4 of its
-- 330 KB z12 tile, and a real city's would be megabytes that a browser must decode to draw overlapping dots.
-- Clusters are made from whole cells, including the cells just outside the tile, and kept if their point falls
-- in the tile's 64-unit buffer: two neighbouring tiles draw the same cluster at the same place.
WITH near AS (
    SELECT id, code, category, priority, status, received_at, ST_Transform(location, 3857) AS location
    FROM incidents
    -- a cluster's whole cell may lie up to 256 units out; a point is drawn up to 64 units out
    WHERE location && ST_Transform(ST_TileEnvelope($1, $2, $3, margin => CASE WHEN $1 < 14 THEN 256.0 ELSE 64.0 END / 4096), 4326)
      AND ($4::text[] IS NULL OR category = ANY ($4::text[]))
      AND ($5::timestamptz IS NULL OR received_at >= $5::timestamptz)
      AND ($6::timestamptz IS NULL OR received_at < $6::timestamptz)
), points AS (
    SELECT id, code, category, priority, status, received_at, 1 AS count,
           ST_AsMVTGeom(location, ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
    FROM near
    WHERE $1 >= 14
), members AS (
    SELECT id, code, category, priority, status, received_at,
           ST_AsMVTGeom(location, ST_TileEnvelope($1, $2, $3), 4096, 256, true) AS at
    FROM near
    WHERE $1 < 14
), clusters AS (
    SELECT min(id) AS id,
           CASE WHEN count(*) = 1 THEN min(code) END AS code,
           mode() WITHIN GROUP (ORDER BY category) AS category,
           min(priority) AS priority,
           CASE WHEN count(*) = 1 THEN min(status) END AS status,
           max(received_at) AS received_at,
           count(*)::int AS count,
           ST_SnapToGrid(ST_Centroid(ST_Collect(at)), 1) AS geom
    FROM members
    WHERE at IS NOT NULL
    GROUP BY floor(ST_X(at) / 256), floor(ST_Y(at) / 256)
)
SELECT ST_AsMVT(t, 'incidents', 4096, 'geom', 'fid')
FROM (
    SELECT id AS fid, id, code, category, priority, status, extract(epoch FROM received_at)::bigint AS received, count, geom
    FROM (SELECT * FROM points UNION ALL SELECT * FROM clusters) drawn
    WHERE geom IS NOT NULL
      AND ST_X(geom) BETWEEN -64 AND 4160 AND ST_Y(geom) BETWEEN -64 AND 4160
) t;
