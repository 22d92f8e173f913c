-- A new fence in the smallest jurisdiction of the caller's scope that holds the area's centre ($10 = that scope's
-- path, '' for all). Runs as the caller (row-level security): no row comes back when the centre is outside the scope.
WITH area AS (SELECT ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($2), 4326)) AS g),
home AS (
    SELECT j.id FROM jurisdictions j, area
    WHERE ST_Covers(j.boundary, ST_PointOnSurface(area.g)) AND ($10 = '' OR j.path <@ $10::ltree)
    ORDER BY nlevel(j.path) DESC LIMIT 1)
INSERT INTO geofences (name, area, rules, margin_m, dwell_minutes, unit_ids, unit_kinds, active_hours, created_by, jurisdiction_id)
SELECT $1, area.g, $3, $4, $5, $6, $7, $8, $9, home.id FROM area, home
RETURNING id
