INSERT INTO import_jobs (layer, file_name, file_bytes, options, created_by) VALUES ($1, $2, $3, $4::jsonb, $5) RETURNING id
