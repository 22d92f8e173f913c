-- The WKT PostGIS holds for an EPSG code; ProjNet builds the transformation from it.
SELECT srtext FROM spatial_ref_sys WHERE auth_name = 'EPSG' AND auth_srid = $1 AND srtext <> ''
