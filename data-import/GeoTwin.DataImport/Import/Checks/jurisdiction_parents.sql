-- A parent must exist in the database or come in the same file as a good row; a node already in the tree keeps its
-- parent (the tree trigger refuses moves, which would re-path every row below it).
UPDATE import_staging s SET
    bad_fields = array_append(s.bad_fields, 'parent_code'),
    bad_reasons = array_append(s.bad_reasons, 'no jurisdiction with code ''' || s.parent_code || ''' in the database or the file')
WHERE s.parent_code IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM jurisdictions j WHERE j.code = s.parent_code)
  AND NOT EXISTS (SELECT 1 FROM import_staging t WHERE t.code = s.parent_code AND t.bad_reasons IS NULL);
UPDATE import_staging s SET
    bad_fields = array_append(s.bad_fields, 'parent_code'),
    bad_reasons = array_append(s.bad_reasons, 'jurisdiction ' || s.code || ' already hangs under ' || coalesce(p.code, 'no parent')
                 || '; moving a node to another parent is not supported')
FROM jurisdictions e LEFT JOIN jurisdictions p ON p.id = e.parent_id
-- (an empty parent_code says "no parent" only on a row whose fields all read: an unreadable one is already reported)
WHERE e.code = s.code AND (s.parent_code IS NOT NULL OR s.bad_reasons IS NULL) AND p.code IS DISTINCT FROM s.parent_code
