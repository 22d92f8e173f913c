-- The new area's sensors ($2 codes, $3 names); a code already taken is a unique violation the endpoint names.
INSERT INTO crowd_sensors (code, name, area_id)
SELECT code, name, $1 FROM unnest($2::text[], $3::text[]) AS s(code, name)
