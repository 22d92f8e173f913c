SELECT u.id, u.username, u.display_name, u.role, j.code, u.disabled, u.locked_until, u.last_login_at
FROM users u
JOIN jurisdictions j ON j.id = u.jurisdiction_id
ORDER BY u.username;
