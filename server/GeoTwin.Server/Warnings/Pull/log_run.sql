INSERT INTO warning_pull_runs (connector, started_at, ok, pages, fetched, new, duplicates, skipped, skipped_reasons, level_changes, error, duration_ms)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12);
