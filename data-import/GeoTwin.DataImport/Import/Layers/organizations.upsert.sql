-- Staged organizations by their code. Returns (inserted, updated).
WITH upserted AS (
    INSERT INTO organizations (code, name, category, address_id, location, jurisdiction_id, community_id)
    SELECT code, name, category, address_id, ST_Force2D(geom), jurisdiction_id, community_id FROM import_staging
    ON CONFLICT (code) DO UPDATE SET
        name = EXCLUDED.name, category = EXCLUDED.category, address_id = EXCLUDED.address_id, location = EXCLUDED.location,
        jurisdiction_id = EXCLUDED.jurisdiction_id, community_id = EXCLUDED.community_id
    RETURNING xmax = 0 AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted
