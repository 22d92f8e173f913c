-- In the transaction that stored the page: the cursor never stands past a page that was not stored.
INSERT INTO warning_pull_cursors (connector, cursor) VALUES ($1, $2)
ON CONFLICT (connector) DO UPDATE SET cursor = EXCLUDED.cursor, updated_at = now();
