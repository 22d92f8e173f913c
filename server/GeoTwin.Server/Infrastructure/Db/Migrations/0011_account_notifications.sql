-- Session checks are cached until an account or the tree changes: tell listeners when they do.
CREATE TRIGGER users_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION notify_data_changed();
