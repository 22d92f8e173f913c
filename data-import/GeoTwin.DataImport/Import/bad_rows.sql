-- The bad rows the set-based checks marked, first ones by row number, with how many there are in all.
SELECT row_no, bad_field, bad_reason, count(*) OVER () FROM import_staging WHERE bad_reason IS NOT NULL ORDER BY row_no LIMIT $1
