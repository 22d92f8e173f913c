-- Registered people currently living in the house (not yet left), with their identity.
SELECT p.id, i.full_name, i.id_number, i.phone, p.floating, p.foreign_national, p.arrived_on, p.expected_leave_on
FROM people p
JOIN people_identity i ON i.person_id = p.id
WHERE p.house_id = $1 AND p.left_on IS NULL
ORDER BY p.arrived_on, p.id;
