-- What the caller's cameras see near the area; row-level security leaves out other jurisdictions' cameras.
SELECT v.camera_id, v.geom
FROM camera_visibility v
WHERE v.geom && $1::geometry
ORDER BY v.camera_id;
