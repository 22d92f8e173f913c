UPDATE tileset_jobs SET status = $2, percent = CASE WHEN $2 = 'done' THEN 100 ELSE percent END, message = $3, version = $4, finished_at = now()
WHERE id = $1
