-- The hot spot cells of one analysis that reach tile $1/$2/$3, as the catalog's vector-tile layer "hotspots". The
-- cells are computed in memory (HotspotsStore), not stored: they come as parallel arrays, one element a cell,
-- already narrowed to the tile's neighbourhood; PostGIS clips and encodes them as it does every other layer
-- (extent 4096, buffer 64). $4 feature ids, $5 cell ids (q_r, for /api/hotspots/cells/{id}), $6 counts, $7 z,
-- $8 p, $9 FDR q, $10 Gi_Bin, $11 emerging pattern (NULL: no emerging run for these parameters), $12 hexagons as
-- WKB in EPSG:4326. NULL attributes are left out of the feature.
SELECT ST_AsMVT(t, 'hotspots', 4096, 'geom', 'fid')
FROM (
    SELECT c.fid, c.fid AS id, c.cell, c.count, c.z, c.p, c.q_fdr, c.bin, c.trend,
           ST_AsMVTGeom(ST_Transform(ST_GeomFromWKB(c.wkb, 4326), 3857), ST_TileEnvelope($1, $2, $3), 4096, 64, true) AS geom
    FROM unnest($4::bigint[], $5::text[], $6::int[], $7::float8[], $8::float8[], $9::float8[], $10::int[], $11::text[], $12::bytea[])
         AS c (fid, cell, count, z, p, q_fdr, bin, trend, wkb)
) t
WHERE geom IS NOT NULL;
