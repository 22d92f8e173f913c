UPDATE import_jobs SET
    status = $2, percent = CASE WHEN $2 = 'written' THEN 100 ELSE percent END, phase = NULL,
    rows_read = $3, inserted = $4, updated = $5, bad_count = $6, repaired = $7, bad_rows = $8::jsonb,
    message = $9, warnings = $10::jsonb, finished_at = now()
WHERE id = $1
