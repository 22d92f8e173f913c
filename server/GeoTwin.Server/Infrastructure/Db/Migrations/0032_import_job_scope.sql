-- The jurisdiction subtree an import job may write to and be read from (the uploading token's or user's path;
-- NULL: unscoped, an admin), the worker running it, so a job left running by a dead worker can be told apart,
-- and the rows written changed (repaired polygons: row, field, what was changed).
ALTER TABLE import_jobs ADD COLUMN scope ltree;
ALTER TABLE import_jobs ADD COLUMN worker text;
ALTER TABLE tileset_jobs ADD COLUMN worker text;
ALTER TABLE import_jobs ADD COLUMN warnings jsonb NOT NULL DEFAULT '[]';
