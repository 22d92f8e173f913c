-- Where a declaration at address $1 goes, as seen by user $2 (row-level security hides other jurisdictions'
-- addresses): the address, its first house, whether the user is linked to it or is the house's landlord, whether the
-- house has a landlord, and today's date on the bureau's clock (the jurisdiction's time zone, else UTC).
SELECT a.id, a.status, h.id, h.jurisdiction_id,
       EXISTS (SELECT 1 FROM resident_addresses r WHERE r.user_id = $2 AND r.address_id = a.id),
       EXISTS (SELECT 1 FROM house_landlords l WHERE l.user_id = $2 AND l.house_id = h.id),
       EXISTS (SELECT 1 FROM house_landlords l WHERE l.house_id = h.id),
       (now() AT TIME ZONE coalesce((SELECT j.time_zone FROM jurisdictions j
                                     WHERE j.path @> a.jurisdiction_path AND j.time_zone IS NOT NULL
                                     ORDER BY nlevel(j.path) DESC LIMIT 1), 'UTC'))::date
FROM addresses a
LEFT JOIN LATERAL (SELECT id, jurisdiction_id FROM houses WHERE address_id = a.id ORDER BY code LIMIT 1) h ON true
WHERE a.code = $1;
