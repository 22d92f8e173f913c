-- The demo resident (and the demo landlord, $3) live at one real address of their station: the first active address
-- with a door number and a residential house, so the plate, the declaration and the landlord's confirmation all work
-- there. $4 their name for the officer's list.
WITH a AS (
    SELECT a.id, a.jurisdiction_id, h.id AS house_id
    FROM addresses a JOIN houses h ON h.address_id = a.id
    WHERE a.status = 'active' AND a.door_number IS NOT NULL AND h.use = 'residential'
      AND a.jurisdiction_path <@ (SELECT path FROM jurisdictions WHERE code = $2)
    ORDER BY a.code, h.code
    LIMIT 1
), l AS (
    INSERT INTO resident_addresses (user_id, address_id) SELECT $1, id FROM a
), p AS (
    INSERT INTO resident_profiles (user_id, full_name, phone, asked_address_id, created_by, linked_by, linked_at, jurisdiction_id)
    SELECT $1, $4, '13800000000', id, 'demo', 'demo', now(), jurisdiction_id FROM a
)
INSERT INTO house_landlords (house_id, user_id) SELECT house_id, $1 FROM a WHERE $3;
