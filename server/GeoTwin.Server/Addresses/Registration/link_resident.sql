-- The officer links a resident (in their scope: row-level security) to an address (idem), as landlord of its house
-- when $4. Returns whether the resident and the address were found.
WITH r AS (SELECT user_id FROM resident_profiles WHERE user_id = $1),
     a AS (SELECT id FROM addresses WHERE code = $2 AND status = 'active'),
     l AS (INSERT INTO resident_addresses (user_id, address_id) SELECT r.user_id, a.id FROM r, a ON CONFLICT DO NOTHING),
     h AS (INSERT INTO house_landlords (house_id, user_id)
           SELECT hh.id, r.user_id FROM r, a, LATERAL (SELECT id FROM houses WHERE address_id = a.id ORDER BY code LIMIT 1) hh
           WHERE $4 ON CONFLICT DO NOTHING),
     p AS (UPDATE resident_profiles SET linked_by = $3, linked_at = now() WHERE user_id IN (SELECT user_id FROM r) AND EXISTS (SELECT 1 FROM a))
SELECT EXISTS (SELECT 1 FROM r), EXISTS (SELECT 1 FROM a);
