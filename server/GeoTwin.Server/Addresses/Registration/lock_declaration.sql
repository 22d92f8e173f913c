-- The declaration to decide on, locked so two decisions on it cannot both pass. Row-level security hides the ones
-- the caller may not see. Also whether the caller is a landlord of its house.
SELECT d.id, d.kind, d.status, d.house_id, d.id_number, d.full_name, d.phone, d.foreign_national, d.arrived_on,
       d.expected_leave_on, d.left_on, h.jurisdiction_id,
       EXISTS (SELECT 1 FROM house_landlords l WHERE l.house_id = d.house_id AND l.user_id = $2), d.due_on
FROM declarations d JOIN houses h ON h.id = d.house_id
WHERE d.id = $1
FOR UPDATE OF d;
