-- One unit's fixes in a window as a line whose M is the fix time (epoch seconds), simplified for display:
-- ST_Simplify keeps the M of the vertices it keeps, so the viewer can still place each point in time.
WITH line AS (
    SELECT count(*) AS n,
           ST_MakeLine(ST_MakePointM(ST_X(p.position), ST_Y(p.position), extract(epoch FROM p.fix_time)) ORDER BY p.fix_time) AS geom
    FROM unit_positions p
    WHERE p.unit_id = $1 AND p.fix_time >= $2 AND p.fix_time < $3
)
SELECT n, (SELECT array_agg(ARRAY[ST_X(d.geom), ST_Y(d.geom), ST_M(d.geom)] ORDER BY d.path)
           FROM ST_DumpPoints(CASE WHEN n > 2 AND $4 > 0 THEN ST_Simplify(geom, $4, true) ELSE geom END) d)
FROM line;
