SELECT h.id, h.code, a.code, a.full_text, h.use, h.floors, h.rooms, h.base_height_m, h.roof_height_m,
       h.residents_total, h.residents_registered, h.residents_floating, h.residents_foreign,
       ST_X(ST_PointOnSurface(h.footprint)), ST_Y(ST_PointOnSurface(h.footprint))
FROM houses h
LEFT JOIN addresses a ON a.id = h.address_id
WHERE h.id = $1;
