-- Houses, organizations and incidents name their standard address by code; it must exist already.
UPDATE import_staging s SET address_id = a.id FROM addresses a WHERE a.code = s.address_code AND s.bad_reason IS NULL;
UPDATE import_staging SET
    bad_field = 'address_code',
    bad_reason = 'no address with code ''' || address_code || '''; import the addresses first'
WHERE address_code IS NOT NULL AND address_id IS NULL AND bad_reason IS NULL
