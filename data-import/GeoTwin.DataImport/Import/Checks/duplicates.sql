-- A key that repeats within the file: every repeat but one is a bad row naming that one, the first good row
-- (so --skip-invalid still writes it when an earlier repeat is bad for another reason), else the first row.
-- {column} is a unique column of the layer, from the server-side layer list.
UPDATE import_staging s SET
    bad_fields = array_append(s.bad_fields, '{column}'),
    bad_reasons = array_append(s.bad_reasons, 'duplicate {column} ''' || s.{column} || ''' in the file (first at row ' || d.first_row || ')')
FROM (SELECT {column} AS value, coalesce(min(row_no) FILTER (WHERE bad_reasons IS NULL), min(row_no)) AS first_row
        FROM import_staging WHERE {column} IS NOT NULL
       GROUP BY {column} HAVING count(*) > 1) d
WHERE s.{column} = d.value AND s.row_no <> d.first_row
