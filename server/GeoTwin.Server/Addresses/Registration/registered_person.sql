SELECT person_id, arrived_on, registered FROM registered_person_at($1, $2);
