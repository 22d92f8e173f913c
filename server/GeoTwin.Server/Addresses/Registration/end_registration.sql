-- Approval of a departure: the registration ends (the house's counts follow: trigger, 0091).
UPDATE people SET left_on = $2 WHERE id = $1 AND left_on IS NULL;
