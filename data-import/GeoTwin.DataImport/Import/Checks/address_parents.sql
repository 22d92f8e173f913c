-- A parent address must exist in the database or come in the same file.
UPDATE import_staging s SET
    bad_field = 'parent_code',
    bad_reason = 'no address with code ''' || s.parent_code || ''' in the database or the file'
WHERE s.parent_code IS NOT NULL AND s.bad_reason IS NULL
  AND NOT EXISTS (SELECT 1 FROM addresses a WHERE a.code = s.parent_code)
  AND NOT EXISTS (SELECT 1 FROM import_staging t WHERE t.code = s.parent_code)
