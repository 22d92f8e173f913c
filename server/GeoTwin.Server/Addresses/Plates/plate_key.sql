SELECT key FROM plate_key WHERE id = 1;
