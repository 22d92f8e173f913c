SELECT id, layer, file_name, file_bytes, status, phase, percent, rows_read, inserted, updated, bad_count, repaired,
       bad_rows::text, message, created_by, created_at, finished_at
  FROM import_jobs WHERE id = $1
