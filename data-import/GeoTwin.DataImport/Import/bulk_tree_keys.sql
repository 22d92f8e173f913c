-- The target table's foreign keys into the jurisdiction tree in the columns the importer places rows by
-- (jurisdiction_id, community_id): the names of their row-by-row check triggers. A bulk load checks these keys
-- once for the whole file instead (see Importer.CheckTreeKeysOnceAsync).
SELECT quote_ident(t.tgname)
FROM pg_constraint c
JOIN pg_trigger t ON t.tgconstraint = c.oid AND t.tgrelid = c.conrelid
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
WHERE c.conrelid = $1::regclass AND c.contype = 'f' AND c.confrelid = 'jurisdictions'::regclass
  AND cardinality(c.conkey) = 1 AND a.attname IN ('jurisdiction_id', 'community_id')
  AND current_setting('is_superuser') = 'on'
ORDER BY t.tgname;
