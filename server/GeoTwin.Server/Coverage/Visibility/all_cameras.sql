SELECT id FROM cameras ORDER BY id;
