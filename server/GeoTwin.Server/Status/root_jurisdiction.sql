-- The top of the jurisdiction tree, its extent (the viewer's first camera position) and its outline: the outer
-- rings simplified to about 5 m, as [[lon, lat], ...] lists, so the map draws the real boundary.
SELECT name, name_en,
       ST_XMin(boundary), ST_YMin(boundary), ST_XMax(boundary), ST_YMax(boundary),
       (SELECT json_agg((SELECT json_agg(json_build_array(round(ST_X(p.geom)::numeric, 6), round(ST_Y(p.geom)::numeric, 6)) ORDER BY p.path)
                         FROM ST_DumpPoints(ST_ExteriorRing(d.geom)) p))::text
        FROM ST_Dump(ST_SimplifyPreserveTopology(boundary, 0.00005)) d)
FROM jurisdictions
WHERE parent_id IS NULL
ORDER BY id
LIMIT 1;
