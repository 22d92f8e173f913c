-- Every place the caller may see (row-level security) with its count and level in month $1, the count the month before
-- and the same month a year before (the list's changes), and its outline for the map (GeoJSON, 6 decimals ≈ 0.1 m).
SELECT p.id, p.code, p.kind, p.name, p.name_en,
       coalesce(l.count, 0), coalesce(l.level, 'none'), coalesce(l.near_next, false),
       coalesce(prev.count, 0), coalesce(ly.count, 0), l.changed_at,
       ST_AsGeoJSON(p.boundary, 6), ST_X(ST_PointOnSurface(p.boundary)), ST_Y(ST_PointOnSurface(p.boundary))
FROM warning_places p
LEFT JOIN warning_levels l ON l.place_id = p.id AND l.month = $1::date
LEFT JOIN warning_levels prev ON prev.place_id = p.id AND prev.month = ($1::date - interval '1 month')::date
LEFT JOIN warning_levels ly ON ly.place_id = p.id AND ly.month = ($1::date - interval '1 year')::date
ORDER BY p.id;
