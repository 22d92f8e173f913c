SELECT name, title, kind, storage_path, version FROM tilesets WHERE name = $1
