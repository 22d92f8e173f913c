-- The plates of a building, compound or street: the address itself and every active address below it (parent_code
-- chain) that has a door number, in code order. $1 code, $2 at most this many (one more is asked for to tell "too many").
WITH RECURSIVE below AS (
    SELECT id, code, 0 AS depth FROM addresses WHERE code = $1
    UNION ALL
    SELECT a.id, a.code, b.depth + 1 FROM addresses a JOIN below b ON a.parent_code = b.code WHERE b.depth < 8
)
SELECT a.code, a.element_type, a.full_text, a.door_number, a.status, coalesce(p.version, 1), p.reissued_at
FROM below b
JOIN addresses a ON a.id = b.id
LEFT JOIN address_plates p ON p.address_id = a.id
WHERE a.status = 'active' AND a.door_number IS NOT NULL
ORDER BY a.code
LIMIT $2 + 1;
