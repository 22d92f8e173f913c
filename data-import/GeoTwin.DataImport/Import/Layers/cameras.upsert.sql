-- Staged cameras by their GB/T 28181 id. Returns (inserted, updated).
WITH upserted AS (
    INSERT INTO cameras (id, name, location, mount_height_m, heading_deg, fov_deg, range_m, tilt_deg, kind, owner, status, source_ref, jurisdiction_id)
    SELECT id, name, ST_Force2D(geom), mount_height_m, heading_deg, fov_deg, range_m, tilt_deg, kind, owner, status, source_ref, jurisdiction_id
      FROM import_staging
    ON CONFLICT (id) DO UPDATE SET
        name = EXCLUDED.name, location = EXCLUDED.location, mount_height_m = EXCLUDED.mount_height_m,
        heading_deg = EXCLUDED.heading_deg, fov_deg = EXCLUDED.fov_deg, range_m = EXCLUDED.range_m, tilt_deg = EXCLUDED.tilt_deg,
        kind = EXCLUDED.kind, owner = EXCLUDED.owner, status = EXCLUDED.status, source_ref = EXCLUDED.source_ref,
        jurisdiction_id = EXCLUDED.jurisdiction_id
    RETURNING xmax = 0 AS inserted
)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM upserted
