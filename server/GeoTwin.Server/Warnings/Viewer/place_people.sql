-- The responsible people of place $1 (personal data: geotwin_personal only, in scope through the place).
SELECT pp.id, pp.role, pp.full_name, pp.phone
FROM warning_place_people pp WHERE pp.place_id = $1
ORDER BY pp.role, pp.id;
