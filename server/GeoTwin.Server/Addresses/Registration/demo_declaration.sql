-- One demo declaration by the demo resident at their address (link_resident.sql), with its trail; an approved one
-- registers the person (the house's counts follow: trigger). $1 name, $2 ID number, $3 arrived, $4 due, $5 status,
-- $6 declared at, $7 sent-back reason, $8 registered on (approved only). Generated people, not real ones.
WITH r AS (
    SELECT u.id AS user_id, u.username, a.id AS address_id, h.id AS house_id, h.jurisdiction_id
    FROM users u
    JOIN resident_addresses ra ON ra.user_id = u.id
    JOIN addresses a ON a.id = ra.address_id
    JOIN houses h ON h.address_id = a.id AND h.use = 'residential'
    WHERE u.username = 'resident'
    ORDER BY h.code LIMIT 1
), landlord AS (
    SELECT u.id, u.username FROM users u JOIN house_landlords l ON l.user_id = u.id JOIN r ON r.house_id = l.house_id LIMIT 1
), person AS (
    INSERT INTO people (house_id, floating, arrived_on, registered_by, jurisdiction_id, registered_on, registration_due_on)
    SELECT house_id, true, $3::date, 'officer', jurisdiction_id, $8::date, $4::date FROM r WHERE $5::text = 'approved'
    RETURNING id
), identity AS (
    INSERT INTO people_identity (person_id, full_name, id_number, phone) SELECT id, $1::text, $2::text, '13800000000' FROM person
), d AS (
    INSERT INTO declarations (kind, subject, address_id, house_id, person_id, full_name, id_number, phone, arrived_on, due_on, status,
                              declared_by, declared_by_name, declared_at, decided_at, jurisdiction_id)
    SELECT 'arrival', 'tenant', r.address_id, r.house_id, (SELECT id FROM person), $1::text, $2::text, '13800000000', $3::date, $4::date, $5::text,
           r.user_id, r.username, $6::timestamptz, CASE WHEN $5::text IN ('approved', 'sent_back') THEN $6::timestamptz + interval '1 day' END, r.jurisdiction_id
    FROM r
    RETURNING id, declared_at
)
INSERT INTO declaration_events (declaration_id, action, reason, by_user_id, by_name, by_role, at)
SELECT d.id, 'declared', NULL, r.user_id, r.username, 'resident', d.declared_at FROM d, r
UNION ALL
SELECT d.id, 'confirmed', NULL, landlord.id, landlord.username, 'resident', d.declared_at + interval '2 hours' FROM d, landlord WHERE $5::text <> 'awaiting_landlord'
UNION ALL
SELECT d.id, CASE $5::text WHEN 'approved' THEN 'approved' ELSE 'sent_back' END, $7::text, NULL, 'officer', 'community_officer', d.declared_at + interval '1 day'
FROM d WHERE $5::text IN ('approved', 'sent_back');
