-- Overdue open instructions below the top level that have waited $2 at their level (since the deadline or the last
-- escalation), locked so two nodes never move the same one. $1 now.
SELECT i.id, i.holder, i.assignee_name, i.status, i.jurisdiction_path::text
FROM warning_instructions i
WHERE i.status IN ('issued', 'accepted', 'sent_back') AND i.overdue_since IS NOT NULL AND i.holder <> 'sub_bureau'
  AND (i.escalated_at IS NULL OR i.escalated_at <= $1 - $2::interval)
ORDER BY i.id
FOR UPDATE SKIP LOCKED;
