-- The top of the jurisdiction tree and its extent, for the viewer's first camera position.
SELECT name, name_en,
       ST_XMin(boundary), ST_YMin(boundary), ST_XMax(boundary), ST_YMax(boundary)
FROM jurisdictions
WHERE parent_id IS NULL
ORDER BY id
LIMIT 1;
