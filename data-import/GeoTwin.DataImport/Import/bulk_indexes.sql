-- The target table's indexes that back no constraint (trigram text, ltree scope, geometry, plain btrees),
-- which cost most of a bulk insert when maintained row by row; the importer drops them and builds them
-- again from these definitions. Unique and constraint indexes stay: the upsert and the checks need them.
SELECT pg_get_indexdef(x.indexrelid), quote_ident(i.relname)
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
WHERE x.indrelid = $1::regclass AND NOT x.indisunique AND NOT x.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
ORDER BY i.relname;
