SELECT coalesce(string_agg(table_name || '=' || version, '.' ORDER BY table_name), '')
FROM data_versions
WHERE table_name = ANY ($1);
