INSERT INTO api_tokens (name, token_hash, purpose, jurisdiction_id, created_by, expires_at)
SELECT $1, $2, $3, j.id, $5, CASE WHEN $6::int IS NULL THEN NULL ELSE now() + make_interval(days => $6::int) END
FROM jurisdictions j WHERE j.code = $4
RETURNING id;
