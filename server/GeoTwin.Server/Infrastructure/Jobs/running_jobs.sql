-- Running jobs, their worker, and whether the node that started them is gone: it named its sessions
-- "GeoTwin node <id>" and none of them is connected any more (a killed node's sessions end with its sockets).
-- application_name is shown for every session in pg_stat_activity, not only the caller's own.
SELECT kind, id, worker,
       worker_session LIKE 'GeoTwin node %'
       AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.application_name = worker_session) AS node_gone
FROM (SELECT 'import' AS kind, id, worker, worker_session FROM import_jobs WHERE status = 'running'
      UNION ALL
      SELECT 'tileset', id, worker, worker_session FROM tileset_jobs WHERE status = 'running') running
