-- Imported sites, all or none (the caller checked every row first); a batch of the same name in the caller's
-- scope ($6; '' = all) is replaced by the new one.
WITH gone AS (
    DELETE FROM camera_sites WHERE batch = $4 AND jurisdiction_path <@ $6::ltree
)
INSERT INTO camera_sites (name, location, batch, imported_by, jurisdiction_id)
SELECT v.name, ST_SetSRID(ST_MakePoint(v.lon, v.lat), 4326), $4, $5, v.jid
FROM unnest($1::float8[], $2::float8[], $3::text[], $7::bigint[]) AS v(lon, lat, name, jid);
