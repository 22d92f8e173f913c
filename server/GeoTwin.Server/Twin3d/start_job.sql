-- Only a queued job starts; $2 names the worker (see OwnedFolders.Self), so a dead worker's job can be told apart,
-- and the session's application_name its node (see InterruptedJobs).
UPDATE tileset_jobs SET status = 'running', worker = $2, worker_session = current_setting('application_name')
 WHERE id = $1 AND status = 'queued' RETURNING tileset, kind
