-- The writer session's staging table for one group of fixes, created once a session; emptied at commit.
CREATE TEMP TABLE IF NOT EXISTS positions_in (
    unit_id bigint, fix_time timestamptz, lon float8, lat float8, speed_kmh real, heading_deg real, accuracy_m real
) ON COMMIT DELETE ROWS;
