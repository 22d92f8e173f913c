SELECT name, title, kind, version, ST_XMin(bounds), ST_YMin(bounds), ST_XMax(bounds), ST_YMax(bounds), updated_at
FROM tilesets ORDER BY kind = 'houses' DESC, name
