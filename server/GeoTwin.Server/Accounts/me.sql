SELECT u.id, u.username, u.display_name, u.role, r.title_zh, r.title_en, r.reads_personal_data,
       j.id, j.code, j.name, j.name_en, j.path::text
FROM users u
JOIN roles r ON r.name = u.role
JOIN jurisdictions j ON j.id = u.jurisdiction_id
WHERE u.id = $1;
