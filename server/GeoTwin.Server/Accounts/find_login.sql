SELECT u.id, u.username, u.password_hash, u.role, j.path::text, u.disabled, u.failed_logins, u.locked_until
FROM users u
JOIN jurisdictions j ON j.id = u.jurisdiction_id
WHERE u.username = $1;
