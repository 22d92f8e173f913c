SELECT code, element_type, full_text, door_number, ST_X(location), ST_Y(location), status
FROM addresses
WHERE code = $1;
