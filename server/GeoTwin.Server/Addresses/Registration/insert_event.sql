INSERT INTO declaration_events (declaration_id, action, reason, by_user_id, by_name, by_role) VALUES ($1, $2, $3, $4, $5, $6);
