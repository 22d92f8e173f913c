-- Only a queued job starts: a job Hangfire hands out twice runs once. $2 names the worker (see JobWorkers); the
-- session's application_name names its node (see InterruptedJobs).
UPDATE import_jobs SET status = 'running', started_at = now(), worker = $2, worker_session = current_setting('application_name')
 WHERE id = $1 AND status = 'queued'
RETURNING layer, file_name, options::text, scope::text
