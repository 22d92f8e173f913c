-- The bureau's clock: hot spot hours, weekdays, months and weeks are read in the time zone of the jurisdiction they
-- are about (issue #16), not in UTC or in whatever zone the server happens to run in. NULL means "as my parent"; a
-- root with none falls back to GeoTwin:Hotspots:TimeZone (default UTC). An IANA name (Europe/Monaco, America/Chicago,
-- Asia/Shanghai); PostgreSQL refuses a name it does not know when the value is converted in the check ("time zone
-- ... not recognized"), so a typo never reaches an analysis.
ALTER TABLE jurisdictions ADD COLUMN time_zone text
    CHECK (time_zone IS NULL OR (time_zone ~ '^[A-Za-z][A-Za-z0-9_+/-]{0,63}$' AND (now() AT TIME ZONE time_zone) IS NOT NULL));

-- A demo database made before this column: its city bureau is in Monaco (the demo sets it itself from now on).
UPDATE jurisdictions SET time_zone = 'Europe/Monaco' WHERE code = 'MC' AND kind = 'city_bureau' AND parent_id IS NULL AND name_en = 'Monaco City Bureau';
