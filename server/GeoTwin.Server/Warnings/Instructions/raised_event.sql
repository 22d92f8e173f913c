-- The first event of instruction $1: raised by $3 (account id $2, null for a rule), to $4 (the holder's name).
INSERT INTO warning_instruction_events (instruction_id, kind, to_status, actor_id, actor, note)
VALUES ($1, 'raised', 'issued', $2, $3, $4);
