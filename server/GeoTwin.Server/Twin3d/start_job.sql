UPDATE tileset_jobs SET status = 'running' WHERE id = $1 AND status = 'queued' RETURNING tileset, kind
