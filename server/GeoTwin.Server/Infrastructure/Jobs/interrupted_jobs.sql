-- Jobs whose worker is gone (the caller decides, by OwnedFolders.IsGone) are marked failed where they stood;
-- an import ran in one transaction, so nothing of it was written. $1: import job ids, $2: tileset job ids.
WITH imports AS (
    UPDATE import_jobs SET status = 'failed', phase = NULL, finished_at = now(),
           message = 'interrupted at ' || round(percent)::int || ' %, nothing was written'
    WHERE id = ANY ($1) AND status = 'running'
    RETURNING id
), tilesets AS (
    UPDATE tileset_jobs SET status = 'failed', phase = NULL, finished_at = now(),
           message = 'interrupted at ' || round(percent)::int || ' %; the published version is unchanged'
    WHERE id = ANY ($2) AND status = 'running'
    RETURNING id
), files AS (
    -- The upload chunks of every job that will not run again (interrupted now, or finished with its file left behind).
    DELETE FROM import_files f USING import_jobs j
    WHERE j.id = f.job_id AND (j.id IN (SELECT id FROM imports) OR j.status NOT IN ('queued', 'running'))
)
SELECT (SELECT count(*) FROM imports), (SELECT count(*) FROM tilesets)
