-- Counts only: no person, address text or identity goes into a tile.
SELECT id, footprint, base_height_m, roof_height_m, use, floors,
       residents_total, residents_registered, residents_floating, residents_foreign
FROM houses ORDER BY id
