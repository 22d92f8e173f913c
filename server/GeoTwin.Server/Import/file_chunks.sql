SELECT data FROM import_files WHERE job_id = $1 ORDER BY seq
