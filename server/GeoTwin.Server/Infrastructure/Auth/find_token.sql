-- A token by the hash of its secret, with its jurisdiction's path and whether it still works: a revoked or
-- expired one is found too, so the 401 can say which. last_used_at is refreshed (for a live token only) at
-- most once a minute so a device sending every second does not write on every request.
WITH token AS (
    SELECT t.id, t.name, t.purpose, j.path::text AS path, t.revoked_at, t.expires_at,
           t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now()) AS live
    FROM api_tokens t
    JOIN jurisdictions j ON j.id = t.jurisdiction_id
    WHERE t.token_hash = $1
), touched AS (
    UPDATE api_tokens SET last_used_at = now()
    WHERE id IN (SELECT id FROM token WHERE live)
      AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
)
SELECT id, name, purpose, path, revoked_at, expires_at, live FROM token;
