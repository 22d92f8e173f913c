-- $1 id, $2 sent?, $3 error, $4 seconds until the next attempt, $5 give up after this many attempts.
UPDATE warning_texts
SET attempts = attempts + 1,
    status = CASE WHEN $2 THEN 'sent' WHEN attempts + 1 >= $5 THEN 'failed' ELSE 'pending' END,
    sent_at = CASE WHEN $2 THEN now() END,
    last_error = CASE WHEN $2 THEN NULL ELSE $3 END,
    next_attempt_at = now() + make_interval(secs => $4)
WHERE id = $1;
