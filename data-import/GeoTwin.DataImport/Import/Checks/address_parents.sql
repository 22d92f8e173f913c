-- A parent address must exist in the database or come in the same file as a good row (a bad one is not written).
UPDATE import_staging s SET
    bad_fields = array_append(s.bad_fields, 'parent_code'),
    bad_reasons = array_append(s.bad_reasons, 'no address with code ''' || s.parent_code || ''' in the database or the file')
WHERE s.parent_code IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM addresses a WHERE a.code = s.parent_code)
  AND NOT EXISTS (SELECT 1 FROM import_staging t WHERE t.code = s.parent_code AND t.bad_reasons IS NULL)
