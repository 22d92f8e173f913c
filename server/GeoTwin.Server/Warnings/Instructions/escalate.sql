-- Moves an instruction to its next holder and records it. $1 id, $2 holder, $3 assignee id, $4 assignee name, $5 now, $6 note.
WITH u AS (
    UPDATE warning_instructions SET holder = $2, assignee_id = $3, assignee_name = $4, escalated_at = $5
    WHERE id = $1 RETURNING id, status
)
INSERT INTO warning_instruction_events (instruction_id, kind, from_status, to_status, actor, note, at)
SELECT id, 'escalated', status, status, 'GeoTwin', $6, $5 FROM u;
