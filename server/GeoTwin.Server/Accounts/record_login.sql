UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = now() WHERE id = $1;
