-- A positioning device reports for one unit: a device_id already used by another unit is a bad row.
UPDATE import_staging s SET
    bad_fields = array_append(s.bad_fields, 'device_id'),
    bad_reasons = array_append(s.bad_reasons, 'device_id ''' || s.device_id || ''' already belongs to unit ' || u.call_sign)
FROM police_units u
WHERE u.device_id = s.device_id AND u.call_sign <> s.call_sign
