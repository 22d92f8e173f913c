-- The address a plate names, with its current plate version (1 when never reissued). $1 code.
SELECT a.code, a.element_type, a.full_text, a.door_number, a.status, coalesce(p.version, 1), p.reissued_at
FROM addresses a
LEFT JOIN address_plates p ON p.address_id = a.id
WHERE a.code = $1;
