INSERT INTO import_jobs (layer, file_name, file_bytes, options, created_by, scope) VALUES ($1, $2, $3, $4::jsonb, $5, $6::ltree) RETURNING id
