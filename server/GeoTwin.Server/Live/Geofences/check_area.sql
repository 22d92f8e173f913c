-- What is wrong with a drawn area, or nothing: $1 GeoJSON geometry text. Returns (problem) or (NULL).
WITH g AS (SELECT ST_SetSRID(ST_GeomFromGeoJSON($1), 4326) AS g)
SELECT CASE
    WHEN ST_GeometryType(g) NOT IN ('ST_Polygon', 'ST_MultiPolygon') THEN 'must be a Polygon or MultiPolygon, not ' || replace(ST_GeometryType(g), 'ST_', '')
    WHEN ST_NPoints(g) > 10000 THEN 'has ' || ST_NPoints(g) || ' vertices; at most 10000'
    WHEN ST_XMin(g) < -180 OR ST_XMax(g) > 180 OR ST_YMin(g) < -90 OR ST_YMax(g) > 90 THEN 'lies outside lon -180..180, lat -90..90 (coordinates are [lon, lat])'
    WHEN NOT ST_IsValid(g) THEN 'is not a valid polygon: ' || ST_IsValidReason(g)
    WHEN ST_Area(g::geography) < 1 THEN 'is empty or smaller than 1 m²'
    END
FROM g
