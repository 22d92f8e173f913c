-- Staged addresses by their code: new ones inserted, known ones updated in place (status and its
-- history are not the file's to change). Returns (inserted, updated).
-- jurisdiction_path is joined here, set-based, so a bulk load can switch off the per-row trigger that would
-- look up the same path (addresses_scope); with the trigger on, it writes the same value again. A node
-- missing from the tree leaves the path null, which the NOT NULL constraint refuses.
WITH upserted AS (
    INSERT INTO addresses (code, element_type, parent_code, full_text, door_number, location, jurisdiction_id, jurisdiction_path, community_id)
    SELECT s.code, s.element_type, s.parent_code, s.full_text, s.door_number, ST_Force2D(s.geom), s.jurisdiction_id, j.path, s.community_id
      FROM import_staging s LEFT JOIN jurisdictions j ON j.id = s.jurisdiction_id
    ON CONFLICT (code) DO UPDATE SET
        element_type = EXCLUDED.element_type, parent_code = EXCLUDED.parent_code, full_text = EXCLUDED.full_text,
        door_number = EXCLUDED.door_number, location = EXCLUDED.location,
        jurisdiction_id = EXCLUDED.jurisdiction_id, jurisdiction_path = EXCLUDED.jurisdiction_path, community_id = EXCLUDED.community_id
    RETURNING xmax = 0 AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted
