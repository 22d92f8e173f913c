-- 3D tileset work run as Hangfire jobs (houses rebuild, OSGB conversion): what the viewer and the CLI poll.
CREATE TABLE tileset_jobs (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tileset      text NOT NULL CHECK (tileset ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    kind         text NOT NULL CHECK (kind IN ('houses', 'photogrammetry')),
    status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    percent      real NOT NULL DEFAULT 0 CHECK (percent BETWEEN 0 AND 100),
    phase        text,
    message      text,
    -- the served version the job produced
    version      text,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
CREATE INDEX tileset_jobs_created ON tileset_jobs (created_at);
