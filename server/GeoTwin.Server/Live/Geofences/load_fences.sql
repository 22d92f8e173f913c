-- Every fence ($1 NULL) or one ($1 = its id), for the in-memory engine (as GeoTwin's own login: the engine serves
-- every jurisdiction). The clock of active hours is the fence's jurisdiction's (the nearest ancestor that names one),
-- else UTC; the path says whose viewers are told of its events.
SELECT f.id, f.name, ST_AsBinary(f.area), f.rules, f.margin_m, f.dwell_minutes, f.unit_ids, f.unit_kinds, f.active_hours,
       coalesce((SELECT j.time_zone FROM jurisdictions j WHERE j.path @> f.jurisdiction_path AND j.time_zone IS NOT NULL
                 ORDER BY nlevel(j.path) DESC LIMIT 1), 'UTC'),
       f.jurisdiction_path::text
FROM geofences f
WHERE $1::bigint IS NULL OR f.id = $1
