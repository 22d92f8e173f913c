INSERT INTO tileset_jobs (tileset, kind, created_by) VALUES ($1, $2, $3) RETURNING id
