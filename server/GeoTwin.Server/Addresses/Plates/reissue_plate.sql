-- A new plate version for an address the caller sees (row-level security: others are not found). $1 code, $2 who.
INSERT INTO address_plates (address_id, version, reissued_by)
SELECT a.id, 2, $2 FROM addresses a WHERE a.code = $1
ON CONFLICT (address_id) DO UPDATE SET version = address_plates.version + 1, reissued_by = EXCLUDED.reissued_by, reissued_at = now()
RETURNING version, reissued_at;
