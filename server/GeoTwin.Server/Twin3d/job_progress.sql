UPDATE tileset_jobs SET percent = $2, phase = $3 WHERE id = $1
