SELECT key FROM jt808_key WHERE id = 1;
