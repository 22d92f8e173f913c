-- The demo resident lives at the first active address of their station.
INSERT INTO resident_addresses (user_id, address_id)
SELECT $1, a.id
FROM addresses a
WHERE a.status = 'active'
  AND a.jurisdiction_path <@ (SELECT path FROM jurisdictions WHERE code = $2)
ORDER BY a.code
LIMIT 1;
