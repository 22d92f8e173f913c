SELECT string_agg(name || ' (' || code || ')', ', ' ORDER BY code) FROM jurisdictions WHERE parent_id IS NULL;
