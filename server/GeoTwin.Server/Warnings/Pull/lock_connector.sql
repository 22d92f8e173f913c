-- One run of a connector at a time across every node: the second waits, then finds the first's numbers stored.
-- Returns where the connector's cursor stands (null before its first page).
SELECT pg_advisory_xact_lock(hashtextextended('geotwin warning pull ' || $1, 0)),
       (SELECT cursor FROM warning_pull_cursors WHERE connector = $1);
