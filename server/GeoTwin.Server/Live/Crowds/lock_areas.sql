-- The areas a batch counts ($1 ids), locked until the batch commits, so two batches for one area judge its level one
-- after the other. The clock of the periods is the area's jurisdiction's (the nearest ancestor that names one), else UTC.
SELECT a.id, a.name, a.capacity, a.thresholds::text, a.level, a.jurisdiction_path::text,
       coalesce((SELECT j.time_zone FROM jurisdictions j WHERE j.path @> a.jurisdiction_path AND j.time_zone IS NOT NULL
                 ORDER BY nlevel(j.path) DESC LIMIT 1), 'UTC')
FROM crowd_areas a
WHERE a.id = ANY($1::bigint[])
ORDER BY a.id
FOR UPDATE OF a
