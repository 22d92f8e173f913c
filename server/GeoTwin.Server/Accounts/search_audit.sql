-- Newest first; every filter is optional (NULL matches all).
SELECT id, at, username, action, endpoint, host(remote_addr), record_kind, record_ids, details::text
FROM audit_log
WHERE ($1::text IS NULL OR username = $1)
  AND ($2::text IS NULL OR action = $2)
  AND ($3::text IS NULL OR record_kind = $3)
  AND ($4::text IS NULL OR record_ids @> ARRAY[$4::text])
  AND ($5::timestamptz IS NULL OR at >= $5)
  AND ($6::timestamptz IS NULL OR at < $6)
ORDER BY at DESC, id DESC
LIMIT $7;
