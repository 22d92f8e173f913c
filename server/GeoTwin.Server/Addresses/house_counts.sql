-- Resident counts of the asked houses; row-level security leaves out every house outside the caller's scope.
SELECT id, residents_total, residents_registered, residents_floating, residents_foreign
FROM houses
WHERE id = ANY($1::bigint[])
ORDER BY id;
