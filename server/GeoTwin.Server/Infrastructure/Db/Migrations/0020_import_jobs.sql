-- Uploaded files imported as Hangfire jobs: what the viewer polls for progress and the bad-row report.
-- The file itself waits in import_files, in 1 MiB chunks, so whichever node's worker takes the job can read it.
CREATE TABLE import_jobs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    layer        text NOT NULL CHECK (layer ~ '^[a-z_]{1,40}$'),
    file_name    text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
    file_bytes   bigint NOT NULL CHECK (file_bytes >= 0),
    -- srid, datum, skipInvalid, mapping: as the upload gave them
    options      jsonb NOT NULL DEFAULT '{}',
    status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'written', 'refused', 'failed')),
    phase        text,
    percent      real NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 100),
    rows_read    bigint NOT NULL DEFAULT 0,
    inserted     bigint NOT NULL DEFAULT 0,
    updated      bigint NOT NULL DEFAULT 0,
    bad_count    bigint NOT NULL DEFAULT 0,
    repaired     bigint NOT NULL DEFAULT 0,
    -- the first bad rows (row, field, reason), for the viewer to show
    bad_rows     jsonb NOT NULL DEFAULT '[]',
    message      text,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    started_at   timestamptz,
    finished_at  timestamptz
);
CREATE INDEX import_jobs_created ON import_jobs (created_at);

CREATE TABLE import_files (
    job_id  bigint NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
    seq     integer NOT NULL,
    data    bytea NOT NULL,
    PRIMARY KEY (job_id, seq)
);
