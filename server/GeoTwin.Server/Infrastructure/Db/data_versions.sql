SELECT table_name, version FROM data_versions;
