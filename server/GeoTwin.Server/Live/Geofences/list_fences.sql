-- The fences in the caller's scope (row-level security), newest first, or the one with id $1, with the area as GeoJSON
-- for the map.
SELECT f.id, f.name, ST_AsGeoJSON(f.area, 7)::text, f.rules, f.margin_m, f.dwell_minutes, f.unit_ids, f.unit_kinds, f.active_hours,
       j.code, j.name, f.created_by, f.created_at
FROM geofences f JOIN jurisdictions j ON j.id = f.jurisdiction_id
WHERE $1::bigint IS NULL OR f.id = $1
ORDER BY f.created_at DESC, f.id DESC
