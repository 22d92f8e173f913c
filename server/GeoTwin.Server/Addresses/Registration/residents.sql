-- Resident accounts the caller may see (row-level security: their jurisdiction, personal-data roles), only the ones
-- waiting to be linked when $1.
SELECT p.user_id, p.full_name, p.phone, a.code, a.full_text, p.linked_at IS NOT NULL, p.created_at
FROM resident_profiles p
LEFT JOIN addresses a ON a.id = p.asked_address_id
WHERE NOT $1 OR p.linked_at IS NULL
ORDER BY p.linked_at IS NOT NULL, p.created_at DESC
LIMIT 200;
