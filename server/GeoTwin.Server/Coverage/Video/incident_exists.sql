SELECT count(*) FROM incidents WHERE code = $1;
