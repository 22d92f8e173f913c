INSERT INTO users (username, display_name, password_hash, role, jurisdiction_id)
SELECT $1, $2, $3, $4, j.id FROM jurisdictions j WHERE j.code = $5
RETURNING id;
