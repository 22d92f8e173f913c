-- Where each staged row hangs in the jurisdiction tree, set-based: the jurisdiction the row names,
-- else the deepest police node of the allowed kinds ($1: responsibility_area and station, or station
-- only for units) containing it, else the mapping's code for rows outside every one ($2, may be null).
-- Polygons are placed by a point inside them (anchor, set just before), points by themselves.
UPDATE import_staging s SET
    jurisdiction_id = coalesce(
        (SELECT j.id FROM jurisdictions j WHERE j.code = s.jurisdiction_code),
        (SELECT j.id FROM jurisdictions j
          WHERE s.jurisdiction_code IS NULL AND j.kind = ANY ($1) AND ST_Intersects(j.boundary, coalesce(s.anchor, s.geom))
          ORDER BY nlevel(j.path) DESC, j.id LIMIT 1),
        (SELECT j.id FROM jurisdictions j WHERE s.jurisdiction_code IS NULL AND j.code = $2)),
    community_id = (SELECT j.id FROM jurisdictions j
                     WHERE j.kind = 'community' AND ST_Intersects(j.boundary, coalesce(s.anchor, s.geom))
                     ORDER BY j.id LIMIT 1)
WHERE s.bad_reason IS NULL
