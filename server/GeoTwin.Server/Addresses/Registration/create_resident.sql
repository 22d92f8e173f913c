-- A resident account with its profile, in one statement (all or nothing), at the jurisdiction of the address they
-- live at. $1 username, $2 name, $3 password hash, $4 phone, $5 address code, $6 the creator's scope (an ltree path;
-- NULL: everywhere, for a signed plate or an admin), $7 created by, $8 link now (officer), $9 as the house's landlord.
WITH a AS (
    SELECT id, jurisdiction_id FROM addresses
    WHERE code = $5 AND status = 'active' AND ($6::ltree IS NULL OR jurisdiction_path <@ $6::ltree)
), u AS (
    INSERT INTO users (username, display_name, password_hash, role, jurisdiction_id)
    SELECT $1, $2, $3, 'resident', a.jurisdiction_id FROM a
    RETURNING id, jurisdiction_id
), p AS (
    INSERT INTO resident_profiles (user_id, full_name, phone, asked_address_id, created_by, linked_by, linked_at, jurisdiction_id)
    SELECT u.id, $2, $4, a.id, $7, CASE WHEN $8 THEN $7 END, CASE WHEN $8 THEN now() END, u.jurisdiction_id FROM u, a
), l AS (
    INSERT INTO resident_addresses (user_id, address_id) SELECT u.id, a.id FROM u, a WHERE $8
), h AS (
    INSERT INTO house_landlords (house_id, user_id)
    SELECT hh.id, u.id FROM u, a, LATERAL (SELECT id FROM houses WHERE address_id = a.id ORDER BY code LIMIT 1) hh WHERE $8 AND $9
)
SELECT id FROM u;
