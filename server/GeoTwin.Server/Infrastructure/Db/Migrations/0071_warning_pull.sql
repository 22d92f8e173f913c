-- The incident pull from the call-handling platform (Warnings slice): which platform number became which incident
-- (the pull is idempotent by it), where each connector's cursor stands, and a log row per run for admins.
CREATE TABLE pulled_incidents (
    connector    text NOT NULL CHECK (length(connector) BETWEEN 1 AND 60),
    number       text NOT NULL CHECK (length(number) BETWEEN 1 AND 36),
    incident_id  bigint NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    pulled_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (connector, number)
);
CREATE INDEX pulled_incidents_incident ON pulled_incidents (incident_id);

-- Moved only in the transaction that stored the page it points past.
CREATE TABLE warning_pull_cursors (
    connector   text PRIMARY KEY,
    cursor      text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE warning_pull_runs (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    connector     text NOT NULL,
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz NOT NULL DEFAULT now(),
    ok            boolean NOT NULL,
    pages         integer NOT NULL DEFAULT 0,
    fetched       integer NOT NULL DEFAULT 0,
    new           integer NOT NULL DEFAULT 0,
    duplicates    integer NOT NULL DEFAULT 0,
    skipped       integer NOT NULL DEFAULT 0,
    -- [{ "record": "page 2 #3 (number X)", "reason": "lat: missing" }], the first 200
    skipped_reasons jsonb NOT NULL DEFAULT '[]',
    level_changes integer NOT NULL DEFAULT 0,
    error         text,
    duration_ms   integer NOT NULL
);
CREATE INDEX warning_pull_runs_recent ON warning_pull_runs (connector, id DESC);
