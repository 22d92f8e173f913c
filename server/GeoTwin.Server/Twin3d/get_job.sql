SELECT id, tileset, kind, status, percent, phase, message, version, created_by, created_at, finished_at FROM tileset_jobs WHERE id = $1
