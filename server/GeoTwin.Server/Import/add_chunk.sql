INSERT INTO import_files (job_id, seq, data) VALUES ($1, $2, $3)
