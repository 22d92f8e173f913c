SELECT id FROM jurisdictions WHERE code = $1
