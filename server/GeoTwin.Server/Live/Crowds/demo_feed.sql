-- What the demo feeder counts: every area, whether it is a beach (a summer afternoon crowd) and its clock; and whether
-- any count is stored yet (then the past week is not filled in again).
SELECT a.id, a.capacity, a.name ILIKE '%plage%' OR a.name ILIKE '%beach%' OR a.name ILIKE '%larvotto%',
       coalesce((SELECT j.time_zone FROM jurisdictions j WHERE j.path @> a.jurisdiction_path AND j.time_zone IS NOT NULL
                 ORDER BY nlevel(j.path) DESC LIMIT 1), 'UTC'),
       EXISTS (SELECT 1 FROM crowd_counts)
FROM crowd_areas a ORDER BY a.id
