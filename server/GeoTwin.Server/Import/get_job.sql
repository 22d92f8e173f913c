-- A job as its uploader's scope may see it ($2: '*' for everything, else an ltree path): a token or a station's
-- user sees only jobs created inside its subtree; jobs of unscoped callers (scope NULL) only the unscoped see.
SELECT id, layer, file_name, file_bytes, status, phase, percent, rows_read, inserted, updated, bad_count, repaired,
       bad_rows::text, message, created_by, created_at, finished_at, warnings::text
  FROM import_jobs WHERE id = $1 AND ($2 = '*' OR scope <@ $2::ltree)
