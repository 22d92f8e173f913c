-- Houses that may hide something from the cameras in the box (already widened by their reach); the height above
-- the ground the house stands on is what shades.
SELECT id, footprint, roof_height_m - base_height_m
FROM houses
WHERE footprint && ST_MakeEnvelope($1, $2, $3, $4, 4326)
ORDER BY id;
