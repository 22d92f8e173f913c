UPDATE declarations SET status = $2, decided_at = CASE WHEN $2 IN ('approved', 'rejected', 'sent_back') THEN now() END,
                        person_id = coalesce($3, person_id)
WHERE id = $1;
