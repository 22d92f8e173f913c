SELECT status FROM police_units WHERE id = $1;
