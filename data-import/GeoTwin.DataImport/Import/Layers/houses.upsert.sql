-- Staged houses by their code. Returns (inserted, updated).
WITH upserted AS (
    INSERT INTO houses (code, address_id, footprint, base_height_m, roof_height_m, floors, use, ownership, rooms, area_m2,
                        residents_total, residents_registered, residents_floating, residents_foreign, jurisdiction_id, community_id)
    SELECT code, address_id, ST_Force2D(geom), base_height_m, roof_height_m, floors, use, ownership, rooms, area_m2,
           residents_total, residents_registered, residents_floating, residents_foreign, jurisdiction_id, community_id
      FROM import_staging
    ON CONFLICT (code) DO UPDATE SET
        address_id = EXCLUDED.address_id, footprint = EXCLUDED.footprint, base_height_m = EXCLUDED.base_height_m,
        roof_height_m = EXCLUDED.roof_height_m, floors = EXCLUDED.floors, use = EXCLUDED.use, ownership = EXCLUDED.ownership,
        rooms = EXCLUDED.rooms, area_m2 = EXCLUDED.area_m2, residents_total = EXCLUDED.residents_total,
        residents_registered = EXCLUDED.residents_registered, residents_floating = EXCLUDED.residents_floating,
        residents_foreign = EXCLUDED.residents_foreign, jurisdiction_id = EXCLUDED.jurisdiction_id, community_id = EXCLUDED.community_id
    RETURNING xmax = 0 AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted
