-- A jurisdiction named by a filter: its path, kind, boundary (WKT) and whether it lies inside the caller's scope
-- (geotwin_scope() is the scope the scoped session set; jurisdictions themselves are not row-secured).
SELECT path::text, kind, ST_AsText(boundary), path <@ geotwin_scope()
FROM jurisdictions
WHERE code = $1;
