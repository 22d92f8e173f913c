-- One node of the tree; its ltree path is set by the jurisdictions_place trigger. $7 its time zone (the root's;
-- NULL below it: as the parent).
INSERT INTO jurisdictions (code, kind, name, name_en, parent_id, boundary, time_zone)
VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING id;
