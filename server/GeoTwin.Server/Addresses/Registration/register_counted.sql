-- Approval of an arrival of someone already counted in the house without a registration: registered from $2.
UPDATE people SET registered_on = $2, registration_due_on = $4, expected_leave_on = coalesce($3, expected_leave_on) WHERE id = $1;
