SELECT code FROM jurisdictions WHERE parent_id IS NULL ORDER BY id LIMIT 1;
