-- NULL leaves a field as it is; unlock clears the failed-sign-in count and the lock.
UPDATE users u
SET display_name    = coalesce($2, u.display_name),
    password_hash   = coalesce($3, u.password_hash),
    role            = coalesce($4, u.role),
    jurisdiction_id = coalesce((SELECT id FROM jurisdictions WHERE code = $5), u.jurisdiction_id),
    disabled        = coalesce($6, u.disabled),
    failed_logins   = CASE WHEN $7 THEN 0 ELSE u.failed_logins END,
    locked_until    = CASE WHEN $7 THEN NULL ELSE u.locked_until END
WHERE u.id = $1
RETURNING u.id;
