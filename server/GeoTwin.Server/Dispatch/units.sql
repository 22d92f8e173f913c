-- Every unit with its last fix (GeoTwin's own login: the recommendation marks other jurisdictions itself).
SELECT id, call_sign, kind, capabilities, status, ST_X(last_position), ST_Y(last_position), last_fix_at, jurisdiction_path::text
FROM police_units;
