SELECT h.id, h.code, h.use, h.floors, h.residents_total, h.residents_floating
FROM houses h
JOIN addresses a ON a.id = h.address_id
WHERE a.code = $1
ORDER BY h.code;
