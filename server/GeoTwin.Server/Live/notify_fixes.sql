-- In the writer's transaction, after merge_positions: delivered at commit, so a node that hears it reads committed rows.
SELECT pg_notify('geotwin_live', 'f:' || currval('unit_fix_seq') || ':' || current_setting('application_name'))
