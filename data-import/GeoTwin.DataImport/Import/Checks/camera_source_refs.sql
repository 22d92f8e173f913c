-- source_ref is unique across cameras: one that already belongs to another camera is a bad row.
UPDATE import_staging s SET
    bad_fields = array_append(s.bad_fields, 'source_ref'),
    bad_reasons = array_append(s.bad_reasons, 'source_ref ''' || s.source_ref || ''' already belongs to camera ' || c.id)
FROM cameras c
WHERE c.source_ref = s.source_ref AND c.id <> s.id
