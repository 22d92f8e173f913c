INSERT INTO incident_callers (incident_id, caller_phone, caller_name) VALUES ($1, $2, $3);
