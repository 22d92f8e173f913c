-- $2 random points that the assignment gives to place $1 (a code; null: a random place that is not a patrol zone):
-- inside it and outside every other place that overlaps it without covering it (a smaller or preferred one would win
-- the incident). Falls back to a point on its surface when they cover it all; a place inside a preferred one (a
-- compound within a unit's premises) never gets its own incidents, whatever point is chosen.
WITH p AS (
    SELECT id, code, boundary, area_m2 FROM warning_places
    WHERE ($1::text IS NULL AND kind <> 'patrol_zone') OR code = $1
    ORDER BY CASE WHEN $1::text IS NULL THEN random() END
    LIMIT 1
), free AS (
    SELECT p.code, p.boundary, ST_Difference(p.boundary, coalesce((
        SELECT ST_Union(o.boundary) FROM warning_places o
        WHERE o.id <> p.id AND o.kind <> 'patrol_zone' AND ST_Intersects(o.boundary, p.boundary) AND NOT ST_Covers(o.boundary, p.boundary)
    ), 'SRID=4326;POLYGON EMPTY'::geometry)) AS region
    FROM p
)
SELECT code, ST_X(g), ST_Y(g) FROM (
    SELECT code, (ST_Dump(CASE WHEN ST_Area(region) > 0 THEN ST_GeneratePoints(region, $2) ELSE ST_PointOnSurface(boundary) END)).geom AS g
    FROM free
) x;
