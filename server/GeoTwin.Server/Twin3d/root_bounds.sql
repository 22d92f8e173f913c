-- The top of the jurisdiction tree: the houses tileset's fixed quadtree cell and the box hosted sets must fall in.
SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
FROM (SELECT ST_Extent(boundary) AS e FROM jurisdictions WHERE parent_id IS NULL) j
WHERE e IS NOT NULL
