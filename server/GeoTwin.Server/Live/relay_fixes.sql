-- The latest fixes of the groups another node committed ($1..$2: their fix_seq numbers, coalesced): a scan of
-- police_units, see 0117. Rows of groups in between come too and are harmless (a fix not newer changes nothing).
SELECT id, last_fix_at, ST_X(last_position), ST_Y(last_position), last_speed_kmh, last_heading_deg, last_accuracy_m
FROM police_units
WHERE fix_seq BETWEEN $1 AND $2 AND last_fix_at IS NOT NULL
