-- --skip-invalid: the bad rows stay out, the good ones are written.
DELETE FROM import_staging WHERE bad_reason IS NOT NULL
