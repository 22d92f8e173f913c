INSERT INTO people_identity (person_id, full_name, id_number, phone) VALUES ($1, $2, $3, $4);
