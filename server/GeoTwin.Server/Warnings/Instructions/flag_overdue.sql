-- Open instructions whose deadline passed at $1 get flagged once, with an 'overdue' event each. Returns how many.
WITH f AS (
    UPDATE warning_instructions SET overdue_since = $1
    WHERE status IN ('issued', 'accepted', 'sent_back') AND due_at < $1 AND overdue_since IS NULL
    RETURNING id, status
), e AS (
    INSERT INTO warning_instruction_events (instruction_id, kind, from_status, to_status, actor, at)
    SELECT id, 'overdue', status, status, 'GeoTwin', $1 FROM f
)
SELECT count(*)::int FROM f;
