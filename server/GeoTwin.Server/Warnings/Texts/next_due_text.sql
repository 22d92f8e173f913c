-- The oldest text due, locked for the sender's transaction: another sender skips it, and if this one dies mid-call the
-- lock goes with its connection and the text is due again.
SELECT id, phone, body, attempts FROM warning_texts
WHERE status = 'pending' AND next_attempt_at <= now()
ORDER BY next_attempt_at, id LIMIT 1
FOR UPDATE SKIP LOCKED;
