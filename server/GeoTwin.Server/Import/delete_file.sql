DELETE FROM import_files WHERE job_id = $1
