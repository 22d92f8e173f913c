-- One node of the tree; its ltree path is set by the jurisdictions_place trigger.
INSERT INTO jurisdictions (code, kind, name, name_en, parent_id, boundary)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING id;
