-- Every routable road (both junction ids set) with its pgRouting costs and its points as lon, lat pairs.
SELECT r.id, r.source, r.target, r.cost, r.reverse_cost,
       (SELECT array_agg(v ORDER BY p.path[1], o) FROM ST_DumpPoints(r.geom) p, LATERAL (VALUES (1, ST_X(p.geom)), (2, ST_Y(p.geom))) AS xy(o, v))
FROM roads r
WHERE r.source IS NOT NULL AND r.target IS NOT NULL
ORDER BY r.id;
