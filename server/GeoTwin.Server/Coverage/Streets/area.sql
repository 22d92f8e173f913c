-- The area a street coverage answer is about: the jurisdiction named ($1), or with none named the caller's own
-- node (the top of the tree for a '*' scope). Whether it lies inside the caller's scope is the caller's to check:
-- jurisdictions themselves are not row-secured.
SELECT code, name, kind, path::text, boundary, path <@ geotwin_scope()
FROM jurisdictions
WHERE CASE WHEN $1::text IS NOT NULL THEN code = $1::text
           WHEN geotwin_scope() = ''::ltree THEN parent_id IS NULL
           ELSE path = geotwin_scope() END
ORDER BY id
LIMIT 1;
