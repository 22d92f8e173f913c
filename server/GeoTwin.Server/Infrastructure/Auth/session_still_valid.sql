-- A session stays valid while its account exists, is enabled, keeps the role and place it signed in with,
-- and the session itself was not ended (sign-out, account disabled).
SELECT EXISTS (
    SELECT 1
    FROM users u
    JOIN jurisdictions j ON j.id = u.jurisdiction_id
    JOIN user_sessions s ON s.user_id = u.id
    WHERE u.id = $1 AND NOT u.disabled AND u.role = $2 AND j.path::text = $3
      AND s.id = $4::uuid AND s.ended_at IS NULL
);
