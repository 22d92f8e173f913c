-- Roads are not scoped (routes cross borders); a planner's streets are the parts of roads inside the area.
SELECT id, name, ST_Intersection(geom, $1::geometry)
FROM roads
WHERE geom && $1::geometry AND ST_Intersects(geom, $1::geometry)
ORDER BY id;
