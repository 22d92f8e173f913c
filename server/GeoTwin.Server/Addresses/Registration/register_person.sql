-- Approval of an arrival: the person's registration in the house (the house's counts follow: trigger, 0091).
-- $1 house, $2 foreign, $3 arrived, $4 expected leave, $5 by, $6 jurisdiction, $7 registered on, $8 due on
INSERT INTO people (house_id, floating, foreign_national, arrived_on, expected_leave_on, registered_by, jurisdiction_id, registered_on, registration_due_on)
VALUES ($1, true, $2, $3, $4, $5, $6, $7, $8)
RETURNING id;
