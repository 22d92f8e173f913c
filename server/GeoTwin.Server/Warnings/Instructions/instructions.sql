-- Instructions in the caller's scope (row-level security), newest deadline last. $1 status (null: any), $2 assignee
-- id (null: anyone), $3 only open ones, $4 done since (null: none), $5 limit, $6 id (null: any), $7 place (null: any).
-- The daily list is $2 = the caller, $3 open, $4 the start of the caller's day (what they finished today stays on it).
SELECT i.id, i.place_id, p.name, p.kind, i.warning, i.month, i.task, i.assignee_id, i.assignee_name, i.holder, i.due_at,
       i.status, i.feedback, i.return_reason, i.raised_at, i.raised_by, i.done_at, i.verified_at, i.overdue_since, i.escalated_at, i.rule
FROM warning_instructions i JOIN warning_places p ON p.id = i.place_id
WHERE ($1::text IS NULL OR i.status = $1)
  AND ($2::bigint IS NULL OR i.assignee_id = $2)
  AND ($6::bigint IS NULL OR i.id = $6)
  AND ($7::bigint IS NULL OR i.place_id = $7)
  AND (NOT $3::bool OR i.status IN ('issued', 'accepted', 'sent_back') OR ($4::timestamptz IS NOT NULL AND i.done_at >= $4))
ORDER BY i.due_at, i.id
LIMIT $5;
