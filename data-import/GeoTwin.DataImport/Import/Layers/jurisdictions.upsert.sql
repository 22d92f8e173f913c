-- One level of the tree a run: staged nodes that are roots or whose parent is now in the tree. The
-- tree trigger paths each node from its parent's row, so parents go first; the caller runs this until
-- it writes nothing. Written nodes are marked by setting jurisdiction_id (unused otherwise for this
-- layer). A node keeps its parent on update (jurisdiction_parents.sql refused moves). Returns (inserted, updated).
WITH level AS (
    SELECT s.code, s.kind, s.name, s.name_en, s.time_zone, ST_Force2D(s.geom) AS geom, p.id AS parent_id
      FROM import_staging s LEFT JOIN jurisdictions p ON p.code = s.parent_code
     WHERE s.jurisdiction_id IS NULL AND (s.parent_code IS NULL OR p.id IS NOT NULL)
), upserted AS (
    INSERT INTO jurisdictions (code, kind, name, name_en, time_zone, parent_id, boundary)
    SELECT code, kind, name, name_en, time_zone, parent_id, geom FROM level
    ON CONFLICT (code) DO UPDATE SET
        kind = EXCLUDED.kind, name = EXCLUDED.name, name_en = EXCLUDED.name_en, boundary = EXCLUDED.boundary,
        -- a file without time zones keeps the ones set before
        time_zone = COALESCE(EXCLUDED.time_zone, jurisdictions.time_zone)
    RETURNING id, code, xmax = 0 AS inserted
), marked AS (
    UPDATE import_staging s SET jurisdiction_id = u.id FROM upserted u WHERE s.code = u.code
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted
