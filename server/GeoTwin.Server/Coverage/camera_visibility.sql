-- One camera's stored visibility; row-level security hides other jurisdictions' cameras.
SELECT camera_id, area_m2, computed_at, geom
FROM camera_visibility
WHERE camera_id = $1;
