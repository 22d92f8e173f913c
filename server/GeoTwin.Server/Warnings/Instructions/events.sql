-- An instruction's history, oldest first (row-level security through the instruction).
SELECT kind, from_status, to_status, actor, note, at FROM warning_instruction_events WHERE instruction_id = $1 ORDER BY id;
