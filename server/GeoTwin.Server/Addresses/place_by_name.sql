-- A place said by its exact name (case aside): a named place (beach, square...) or an organization (hotel, shop...).
-- Two hits tell the caller the name is not enough; the same name at one spot (a place that is also an organization) is one.
SELECT DISTINCT ON (round(ST_X(location)::numeric, 5), round(ST_Y(location)::numeric, 5)) name, ST_X(location), ST_Y(location)
FROM (SELECT name, location, code FROM places WHERE lower(name) = lower($1)
      UNION ALL
      SELECT name, location, code FROM organizations WHERE lower(name) = lower($1)) named
ORDER BY round(ST_X(location)::numeric, 5), round(ST_Y(location)::numeric, 5), code
LIMIT 2;
