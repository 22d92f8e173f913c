-- A successful sign-in clears the failure count and opens the session its cookie will name.
WITH signed_in AS (
    UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = now() WHERE id = $1 RETURNING id
)
INSERT INTO user_sessions (user_id, remote_addr) SELECT id, $2::inet FROM signed_in RETURNING id;
