-- $1 kind, $2 subject, $3 address id, $4 house id, $5 person id, $6 name, $7 id number, $8 phone, $9 foreign,
-- $10 arrived, $11 expected leave, $12 left, $13 due, $14 status, $15 user id, $16 user name, $17 jurisdiction id
INSERT INTO declarations (kind, subject, address_id, house_id, person_id, full_name, id_number, phone, foreign_national,
                          arrived_on, expected_leave_on, left_on, due_on, status, declared_by, declared_by_name, jurisdiction_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
RETURNING id;
