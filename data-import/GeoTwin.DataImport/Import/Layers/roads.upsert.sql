-- Staged roads by their source reference. The routing topology (source, target) is left for the
-- routing build to redo. Returns (inserted, updated).
WITH upserted AS (
    INSERT INTO roads (source_ref, name, road_class, speed_kmh, oneway, geom)
    SELECT source_ref, name, road_class, speed_kmh, oneway, ST_Force2D(geom) FROM import_staging
    ON CONFLICT (source_ref) DO UPDATE SET
        name = EXCLUDED.name, road_class = EXCLUDED.road_class, speed_kmh = EXCLUDED.speed_kmh,
        oneway = EXCLUDED.oneway, geom = EXCLUDED.geom, source = NULL, target = NULL
    RETURNING xmax = 0 AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted
