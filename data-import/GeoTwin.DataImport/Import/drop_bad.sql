-- --skip-invalid: the bad rows stay out, the good ones are written.
DELETE FROM import_staging WHERE bad_reasons IS NOT NULL
