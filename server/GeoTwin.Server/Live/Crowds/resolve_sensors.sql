-- The sensors named by a batch ($1 codes): code, id, area. As GeoTwin's own login: the token's scope is checked in C#.
SELECT code, id, area_id FROM crowd_sensors WHERE code = ANY($1::text[])
