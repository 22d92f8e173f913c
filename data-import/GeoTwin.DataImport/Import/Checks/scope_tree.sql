-- A scoped import of the tree itself ($1: the caller's path, $2: its code): a node already stored must lie in the
-- caller's subtree, and a new node must hang, through new nodes of the same file if need be, under a stored node
-- inside it; a new root is never inside.
WITH RECURSIVE inside AS (
    SELECT s.code
    FROM import_staging s JOIN jurisdictions p ON p.code = s.parent_code
    WHERE p.path <@ $1::ltree AND NOT EXISTS (SELECT 1 FROM jurisdictions e WHERE e.code = s.code)
    UNION
    SELECT s.code
    FROM import_staging s JOIN inside i ON s.parent_code = i.code
    WHERE NOT EXISTS (SELECT 1 FROM jurisdictions e WHERE e.code = s.code)
)
UPDATE import_staging s SET
    bad_fields = array_append(s.bad_fields, CASE WHEN e.id IS NOT NULL THEN 'code' ELSE 'parent_code' END),
    bad_reasons = array_append(s.bad_reasons, CASE WHEN e.id IS NOT NULL THEN 'jurisdiction ' || s.code || ' is outside your jurisdiction ' || $2
                      WHEN s.parent_code IS NULL THEN 'a new root is outside your jurisdiction ' || $2
                      ELSE 'parent ' || s.parent_code || ' is outside your jurisdiction ' || $2 END)
FROM import_staging x LEFT JOIN jurisdictions e ON e.code = x.code
WHERE x.row_no = s.row_no
  -- a new node is judged by its chain of good parents: a row already bad (say, for its parent) is not also "outside"
  AND (CASE WHEN e.id IS NOT NULL THEN NOT e.path <@ $1::ltree ELSE s.bad_reasons IS NULL AND s.code NOT IN (SELECT code FROM inside) END)
