-- A time zone must be one PostgreSQL knows by name (pg_timezone_names, IANA): the column's check would otherwise
-- stop the whole import at the first typo instead of naming the row.
UPDATE import_staging s SET
    bad_fields = array_append(s.bad_fields, 'time_zone'),
    bad_reasons = array_append(s.bad_reasons, '''' || s.time_zone || ''' is not a time zone name (IANA, e.g. Asia/Shanghai, America/Chicago)')
WHERE s.time_zone IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM pg_timezone_names z WHERE z.name = s.time_zone);
