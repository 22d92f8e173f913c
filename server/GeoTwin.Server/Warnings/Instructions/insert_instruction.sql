-- One instruction. A rule raises once per place and month (the unique key): a second attempt inserts nothing and
-- returns no row. $1 place, $2 month, $3 warning, $4 rule, $5 task, $6 assignee id, $7 assignee name, $8 holder,
-- $9 due, $10 raised by (name), $11 jurisdiction. Its 'raised' event is written next (raised_event.sql).
INSERT INTO warning_instructions (place_id, month, warning, rule, task, assignee_id, assignee_name, holder, due_at, raised_by, jurisdiction_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (place_id, month, rule) DO NOTHING
RETURNING id;
