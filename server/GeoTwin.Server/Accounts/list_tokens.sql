SELECT t.id, t.name, t.purpose, j.code, t.created_at, t.expires_at, t.revoked_at, t.last_used_at
FROM api_tokens t
JOIN jurisdictions j ON j.id = t.jurisdiction_id
ORDER BY t.id;
