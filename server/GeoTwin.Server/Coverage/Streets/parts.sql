-- The stations, responsibility areas and communities in the area (itself included), for the per-area shares.
SELECT code, name, kind, boundary
FROM jurisdictions
WHERE path <@ $1::ltree AND kind IN ('station', 'responsibility_area', 'community')
ORDER BY path;
