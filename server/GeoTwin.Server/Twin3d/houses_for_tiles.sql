-- The house's physical facts only: no resident count (scoped, served by /api/houses/counts), no person, address
-- text or identity goes into a tile, which every station's staff loads.
SELECT id, footprint, base_height_m, roof_height_m, use, floors
FROM houses ORDER BY id
