-- A point inside each polygon, to place it in the tree by (points stand for themselves: no write).
UPDATE import_staging SET anchor = ST_PointOnSurface(geom) WHERE geom IS NOT NULL AND GeometryType(geom) <> 'POINT'
