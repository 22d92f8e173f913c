-- Staged incidents by their code, marked as imported. Returns (inserted, updated).
WITH upserted AS (
    INSERT INTO incidents (code, category, priority, description, location, address_id, status, received_at, closed_at,
                           disposition, source, jurisdiction_id, community_id)
    SELECT code, category, priority, description, ST_Force2D(geom), address_id, status, coalesce(received_at, now()), closed_at,
           disposition, 'import', jurisdiction_id, community_id
      FROM import_staging
    ON CONFLICT (code) DO UPDATE SET
        category = EXCLUDED.category, priority = EXCLUDED.priority, description = EXCLUDED.description,
        location = EXCLUDED.location, address_id = EXCLUDED.address_id, status = EXCLUDED.status,
        received_at = EXCLUDED.received_at, closed_at = EXCLUDED.closed_at, disposition = EXCLUDED.disposition,
        jurisdiction_id = EXCLUDED.jurisdiction_id, community_id = EXCLUDED.community_id
    RETURNING xmax = 0 AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted
