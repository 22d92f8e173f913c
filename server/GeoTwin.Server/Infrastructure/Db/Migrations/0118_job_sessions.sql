-- Which node's PostgreSQL session started a running job (its application_name, "GeoTwin node <id>"), beside the
-- worker (machine_pid_nonce). A worker on another machine cannot be checked by its process id, but every live node
-- holds sessions under its name: a running job whose node has none is interrupted (InterruptedJobs), from any node.
ALTER TABLE import_jobs ADD COLUMN worker_session text;
ALTER TABLE tileset_jobs ADD COLUMN worker_session text;
