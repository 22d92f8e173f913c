-- $1 incident, $2 actor, $3 kind, $4 unit, $5 details (json text)
INSERT INTO incident_events (incident_id, actor, kind, unit_id, details) VALUES ($1, $2, $3, $4, $5::jsonb);
