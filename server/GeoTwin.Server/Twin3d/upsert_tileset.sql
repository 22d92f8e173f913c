INSERT INTO tilesets (name, title, kind, storage_path, source_srs, bounds, center, version)
VALUES ($1, $2, $3, $4, $5, ST_MakeEnvelope($6::float8, $7::float8, $8::float8, $9::float8, 4326),
        ST_SetSRID(ST_MakePoint(($6::float8 + $8::float8) / 2, ($7::float8 + $9::float8) / 2, $10::float8), 4326), $11)
ON CONFLICT (name) DO UPDATE SET
    title = coalesce(EXCLUDED.title, tilesets.title), kind = EXCLUDED.kind, storage_path = EXCLUDED.storage_path,
    source_srs = EXCLUDED.source_srs, bounds = EXCLUDED.bounds, center = EXCLUDED.center, version = EXCLUDED.version
