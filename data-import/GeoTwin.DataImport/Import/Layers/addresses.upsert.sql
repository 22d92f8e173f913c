-- Staged addresses by their code: new ones inserted, known ones updated in place (status and its
-- history are not the file's to change). Returns (inserted, updated).
WITH upserted AS (
    INSERT INTO addresses (code, element_type, parent_code, full_text, door_number, location, jurisdiction_id, community_id)
    SELECT code, element_type, parent_code, full_text, door_number, ST_Force2D(geom), jurisdiction_id, community_id FROM import_staging
    ON CONFLICT (code) DO UPDATE SET
        element_type = EXCLUDED.element_type, parent_code = EXCLUDED.parent_code, full_text = EXCLUDED.full_text,
        door_number = EXCLUDED.door_number, location = EXCLUDED.location,
        jurisdiction_id = EXCLUDED.jurisdiction_id, community_id = EXCLUDED.community_id
    RETURNING xmax = 0 AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted
