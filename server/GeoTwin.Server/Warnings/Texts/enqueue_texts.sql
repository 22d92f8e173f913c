-- Texts for the warnings ($1 place, $2 month, $3 warning, $4 body: parallel arrays) to every responsible person of the
-- place, in the transaction of the level change. A text already written for the same place, month, warning and phone
-- is not written again (at most once, whatever recomputes).
INSERT INTO warning_texts (place_id, month, warning, phone, role, body)
SELECT w.place_id, w.month, w.warning, pp.phone, pp.role, w.body
FROM unnest($1::bigint[], $2::date[], $3::text[], $4::text[]) AS w(place_id, month, warning, body)
JOIN warning_place_people pp ON pp.place_id = w.place_id
ON CONFLICT (place_id, month, warning, phone) DO NOTHING;
