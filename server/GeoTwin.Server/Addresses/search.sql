-- One box for everything a commander types: a place's name (hotels, landmarks, shops: organizations; beaches, squares,
-- parks, harbours: places), address text
-- in either word order ("19 Boulevard des Moulins" finds "… Boulevard des Moulins 19号") or code, camera id,
-- unit call sign. One hit per kind and label (several doors with the same text show once: the best ranked).
-- $1 the text as typed, $2 the same with LIKE wildcards escaped, $3 how many, $4 the escaped text with a leading or
-- trailing number moved to the other end (null when it has none).
SELECT kind, key, label, lon, lat, rank FROM (
  SELECT DISTINCT ON (kind, label) * FROM (
    (SELECT 'place' AS kind, code AS key, name AS label, ST_X(location) AS lon, ST_Y(location) AS lat,
            CASE WHEN lower(name) = lower($1) THEN 3 ELSE 1 + similarity(name, $1) END AS rank
     FROM organizations
     WHERE name ILIKE '%' || $2 || '%'
     ORDER BY rank DESC, code LIMIT $3)
    UNION ALL
    (SELECT 'place', code, name, ST_X(location), ST_Y(location),
            CASE WHEN lower(name) = lower($1) THEN 3 ELSE 1 + similarity(name, $1) END
     FROM places
     WHERE name ILIKE '%' || $2 || '%'
     ORDER BY 6 DESC, code LIMIT $3)
    UNION ALL
    (SELECT 'address', code, full_text, ST_X(location), ST_Y(location),
            CASE WHEN code = $1 THEN 2 ELSE greatest(similarity(full_text, $1), similarity(full_text, coalesce($4::text, $1))) END
     FROM addresses
     WHERE status = 'active' AND (code = $1 OR full_text ILIKE '%' || $2 || '%' OR full_text ILIKE '%' || $4::text || '%')
     ORDER BY 6 DESC, code LIMIT $3)
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
  ) hits
  ORDER BY kind, label, rank DESC, key
) once
ORDER BY rank DESC, kind, key
LIMIT $3;
