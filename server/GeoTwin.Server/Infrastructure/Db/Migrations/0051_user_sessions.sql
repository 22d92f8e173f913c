-- Sign-in sessions (issue #15): the session cookie names a row here, and a cookie is honoured only while its
-- row is open. Signing out or an admin disabling the account ends the row, so a copied cookie stops working
-- too (the cookie itself is self-contained and would otherwise be good until it expires).
CREATE TABLE user_sessions (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    started_at   timestamptz NOT NULL DEFAULT now(),
    remote_addr  inet,
    ended_at     timestamptz,
    ended_why    text CHECK (ended_why IN ('signed_out', 'disabled')),
    CHECK ((ended_at IS NULL) = (ended_why IS NULL))
);
CREATE INDEX user_sessions_open ON user_sessions (user_id) WHERE ended_at IS NULL;

-- Session checks are cached per data version (Infrastructure/Auth/AuthSetup.cs): an ending moves the version,
-- so every node drops its cached "still valid" answers. Opening a session (INSERT) invalidates no other
-- session's answer, so sign-ins do not make every active session go back to the database.
INSERT INTO data_versions (table_name) VALUES ('user_sessions');
CREATE TRIGGER user_sessions_notify AFTER UPDATE OR DELETE OR TRUNCATE ON user_sessions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();

-- Disabling an account ends its sessions whoever disables it (the admin API, the CLI, psql): re-enabling it
-- later must not bring an old, maybe copied, cookie back to life.
CREATE FUNCTION end_sessions_of_disabled_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE user_sessions SET ended_at = now(), ended_why = 'disabled' WHERE user_id = NEW.id AND ended_at IS NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER users_disabled_ends_sessions AFTER UPDATE OF disabled ON users
    FOR EACH ROW WHEN (NEW.disabled AND NOT OLD.disabled) EXECUTE FUNCTION end_sessions_of_disabled_user();
