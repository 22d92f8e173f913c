SELECT 'import', id, worker FROM import_jobs WHERE status = 'running' UNION ALL SELECT 'tileset', id, worker FROM tileset_jobs WHERE status = 'running'
