-- Sign-out: the session's cookie, and every copy of it, is refused from now on.
UPDATE user_sessions SET ended_at = now(), ended_why = 'signed_out'
WHERE id = $1::uuid AND user_id = $2 AND ended_at IS NULL;
