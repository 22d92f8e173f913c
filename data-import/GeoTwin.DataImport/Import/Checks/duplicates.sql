-- A key that repeats within the file: every repeat after the first is a bad row naming the first.
-- {column} is a unique column of the layer, from the server-side layer list.
UPDATE import_staging s SET
    bad_field = '{column}',
    bad_reason = 'duplicate {column} ''' || s.{column} || ''' in the file (first at row ' || d.first_row || ')'
FROM (SELECT {column} AS value, min(row_no) AS first_row
        FROM import_staging WHERE {column} IS NOT NULL AND bad_reason IS NULL
       GROUP BY {column} HAVING count(*) > 1) d
WHERE s.{column} = d.value AND s.row_no <> d.first_row AND s.bad_reason IS NULL
