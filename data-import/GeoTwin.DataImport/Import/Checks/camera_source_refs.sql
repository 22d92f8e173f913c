-- source_ref is unique across cameras: one that already belongs to another camera is a bad row.
UPDATE import_staging s SET
    bad_field = 'source_ref',
    bad_reason = 'source_ref ''' || s.source_ref || ''' already belongs to camera ' || c.id
FROM cameras c
WHERE c.source_ref = s.source_ref AND c.id <> s.id AND s.bad_reason IS NULL
