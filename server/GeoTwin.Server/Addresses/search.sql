-- One box for everything a commander types: address text or code, camera id, unit call sign.
-- $1 the text as typed, $2 the same with LIKE wildcards escaped, $3 how many.
(SELECT 'address' AS kind, code AS key, full_text AS label, ST_X(location) AS lon, ST_Y(location) AS lat,
        CASE WHEN code = $1 THEN 2 ELSE similarity(full_text, $1) END AS rank
 FROM addresses
 WHERE status = 'active' AND (code = $1 OR full_text ILIKE '%' || $2 || '%')
 ORDER BY rank DESC, code LIMIT $3)
UNION ALL
(SELECT 'camera', id, coalesce(name, id), ST_X(location), ST_Y(location), CASE WHEN id = $1 THEN 2 ELSE 1 END
 FROM cameras
 WHERE id LIKE $2 || '%' OR name ILIKE '%' || $2 || '%'
 ORDER BY 6 DESC, id LIMIT $3)
UNION ALL
(SELECT 'unit', call_sign, call_sign, ST_X(last_position), ST_Y(last_position), CASE WHEN call_sign = $1 THEN 2 ELSE 1 END
 FROM police_units
 WHERE last_position IS NOT NULL AND call_sign ILIKE '%' || $2 || '%'
 ORDER BY 6 DESC, call_sign LIMIT $3)
ORDER BY rank DESC, kind, key
LIMIT $3;
