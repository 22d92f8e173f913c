INSERT INTO camera_visibility (camera_id, jurisdiction_path, geom, area_m2, computed_at)
SELECT c.id, c.jurisdiction_path, ST_Multi(ST_SetSRID(ST_GeomFromWKB(v.wkb), 4326)), v.area, now()
FROM unnest($1::text[], $2::bytea[], $3::float8[]) AS v(id, wkb, area)
JOIN cameras c ON c.id = v.id
ON CONFLICT (camera_id) DO UPDATE
SET jurisdiction_path = EXCLUDED.jurisdiction_path, geom = EXCLUDED.geom, area_m2 = EXCLUDED.area_m2, computed_at = EXCLUDED.computed_at;
