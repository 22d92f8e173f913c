-- A session stays valid while its account exists, is enabled, and keeps the role and place it signed in with.
SELECT EXISTS (
    SELECT 1
    FROM users u
    JOIN jurisdictions j ON j.id = u.jurisdiction_id
    WHERE u.id = $1 AND NOT u.disabled AND u.role = $2 AND j.path::text = $3
);
