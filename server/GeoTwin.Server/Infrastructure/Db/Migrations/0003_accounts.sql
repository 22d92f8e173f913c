-- Users, roles, API tokens and the audit log. The accounts slice fills and guards them.
CREATE TABLE roles (
    name      text PRIMARY KEY,
    title_zh  text NOT NULL,
    title_en  text NOT NULL,
    -- Whether the role may read personal data (people, phones, ID numbers); every such read is audited.
    reads_personal_data boolean NOT NULL
);
INSERT INTO roles (name, title_zh, title_en, reads_personal_data) VALUES
    ('admin',             '系统管理员', 'Administrator',     true),
    ('commander',         '指挥长',     'Commander',         true),
    ('dispatcher',        '调度员',     'Dispatcher',        true),
    ('analyst',           '研判分析员', 'Analyst',           false),
    ('planner',           '规划员',     'Planner',           false),
    ('community_officer', '社区民警',   'Community officer', true),
    ('resident',          '居民',       'Resident',          false);

CREATE TABLE users (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username         text NOT NULL UNIQUE CHECK (username ~ '^[A-Za-z0-9_.-]{2,64}$'),
    display_name     text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    password_hash    text NOT NULL,
    role             text NOT NULL REFERENCES roles (name),
    jurisdiction_id  bigint NOT NULL REFERENCES jurisdictions (id),
    disabled         boolean NOT NULL DEFAULT false,
    failed_logins    integer NOT NULL DEFAULT 0,
    locked_until     timestamptz,
    last_login_at    timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION touch_updated_at();

-- Tokens are stored as SHA-256 of the secret; the secret is shown once when made.
CREATE TABLE api_tokens (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash       bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    purpose          text NOT NULL CHECK (purpose IN ('position_ingest', 'incident_intake', 'import')),
    jurisdiction_id  bigint NOT NULL REFERENCES jurisdictions (id),
    created_by       bigint REFERENCES users (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz,
    revoked_at       timestamptz,
    revoked_by       bigint REFERENCES users (id),
    last_used_at     timestamptz
);

-- Who read or changed what: written by GeoTwin, never changed or deleted through it.
CREATE TABLE audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    user_id      bigint REFERENCES users (id),
    username     text,
    token_id     bigint REFERENCES api_tokens (id),
    action       text NOT NULL,
    endpoint     text,
    remote_addr  inet,
    record_kind  text,
    record_ids   text[] NOT NULL DEFAULT '{}',
    details      jsonb
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_user ON audit_log (user_id, at);
CREATE INDEX audit_log_records ON audit_log USING gin (record_ids);
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION forbid_change();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION forbid_change();
