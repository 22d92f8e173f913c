-- Houses, organizations and incidents name their standard address by code; it must exist already.
UPDATE import_staging s SET address_id = a.id FROM addresses a WHERE a.code = s.address_code;
UPDATE import_staging s SET
    bad_fields = array_append(s.bad_fields, 'address_code'),
    bad_reasons = array_append(s.bad_reasons, 'no address with code ''' || s.address_code || '''; import the addresses first')
WHERE s.address_code IS NOT NULL AND s.address_id IS NULL
