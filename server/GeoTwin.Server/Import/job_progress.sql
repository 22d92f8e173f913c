UPDATE import_jobs SET percent = $2, rows_read = $3, phase = $4 WHERE id = $1 AND status = 'running'
