-- The target table's GIN and GiST indexes (trigram text, ltree scope, geometry), which cost most of a bulk
-- insert when maintained row by row; the importer drops them and builds them again from these definitions.
-- Unique and constraint indexes stay: the upsert needs them.
SELECT pg_get_indexdef(x.indexrelid), quote_ident(i.relname)
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_am am ON am.oid = i.relam
WHERE x.indrelid = $1::regclass AND am.amname IN ('gin', 'gist') AND NOT x.indisunique
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
ORDER BY i.relname;
