-- Only a queued job starts: a job Hangfire hands out twice runs once.
UPDATE import_jobs SET status = 'running', started_at = now()
 WHERE id = $1 AND status = 'queued'
RETURNING layer, file_name, options::text
