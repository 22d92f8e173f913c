-- Only a queued job starts; $2 names the worker (see OwnedFolders.Self), so a dead worker's job can be told apart.
UPDATE tileset_jobs SET status = 'running', worker = $2 WHERE id = $1 AND status = 'queued' RETURNING tileset, kind
