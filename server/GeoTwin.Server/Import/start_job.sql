-- Only a queued job starts: a job Hangfire hands out twice runs once. $2 names the worker (see JobWorkers).
UPDATE import_jobs SET status = 'running', started_at = now(), worker = $2
 WHERE id = $1 AND status = 'queued'
RETURNING layer, file_name, options::text, scope::text
