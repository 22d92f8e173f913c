-- Every reason of the first $1 bad rows (a row has one entry for each thing wrong with it, in the order found:
-- its fields, its geometry, then the set-based checks), by row number, with how many rows are bad in all.
WITH bad AS (SELECT row_no, bad_fields, bad_reasons FROM import_staging WHERE bad_reasons IS NOT NULL)
SELECT b.row_no, r.field, r.reason, (SELECT count(*) FROM bad)
FROM (SELECT * FROM bad ORDER BY row_no LIMIT $1) b
CROSS JOIN LATERAL unnest(b.bad_fields, b.bad_reasons) WITH ORDINALITY AS r(field, reason, n)
ORDER BY b.row_no, r.n
