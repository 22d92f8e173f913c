-- The latest pull runs, newest first, for admins.
SELECT id, connector, started_at, finished_at, ok, pages, fetched, new, duplicates, skipped, skipped_reasons::text, level_changes, error, duration_ms
FROM warning_pull_runs ORDER BY id DESC LIMIT $1;
