-- By exact code, or by text: substring match (indexed by the trigram index) ranked by similarity.
-- $1 is the text as typed, $2 the same with LIKE wildcards escaped.
SELECT code, element_type, full_text, door_number, ST_X(location), ST_Y(location), status
FROM addresses
WHERE code = $1 OR full_text ILIKE '%' || $2 || '%'
ORDER BY code = $1 DESC, similarity(full_text, $1) DESC, code
LIMIT $3;
