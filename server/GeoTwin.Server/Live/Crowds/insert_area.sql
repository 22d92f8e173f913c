-- A new counting area in the smallest jurisdiction of the caller's scope that holds the area's centre ($5 = that
-- scope's path, '' for all). Runs as the caller (row-level security): no row comes back when the centre is outside.
WITH area AS (SELECT ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($2), 4326)) AS g),
home AS (
    SELECT j.id FROM jurisdictions j, area
    WHERE ST_Covers(j.boundary, ST_PointOnSurface(area.g)) AND ($5 = '' OR j.path <@ $5::ltree)
    ORDER BY nlevel(j.path) DESC LIMIT 1)
INSERT INTO crowd_areas (name, area, capacity, thresholds, created_by, jurisdiction_id)
SELECT $1, area.g, $3, $4::jsonb, $6, home.id FROM area, home
RETURNING id
