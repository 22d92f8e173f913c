SELECT to_status, changed_at FROM change_unit_status($1, $2, $3, $4, $5, $6);
